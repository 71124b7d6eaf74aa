package filter

import (
	"fmt"
	"regexp"
	"strconv"
	"sync"
)

// regexpCacheSize bounds the compiled-pattern cache of Regexp.
const regexpCacheSize = 64

var regexpCache = struct {
	sync.Mutex
	m map[string]*regexp.Regexp
}{m: make(map[string]*regexp.Regexp)}

func compileCached(pattern string) (*regexp.Regexp, error) {
	regexpCache.Lock()
	re := regexpCache.m[pattern]
	regexpCache.Unlock()
	if re != nil {
		return re, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	regexpCache.Lock()
	if len(regexpCache.m) >= regexpCacheSize {
		for k := range regexpCache.m { // evict an arbitrary entry
			delete(regexpCache.m, k)
			break
		}
	}
	regexpCache.m[pattern] = re
	regexpCache.Unlock()
	return re, nil
}

// Regexp implements the SQL function regexp(pattern, value) that compiled
// filters call: whether the Go regular expression pattern matches
// anywhere in value. value may be TEXT or BLOB (matched on its bytes);
// NULL never matches; numbers are matched on their decimal text. Compiled
// patterns are cached (a bounded cache). Register it with
// github.com/mattn/go-sqlite3 in a ConnectHook:
//
//	conn.RegisterFunc("regexp", filter.Regexp, true)
func Regexp(pattern string, value any) (bool, error) {
	re, err := compileCached(pattern)
	if err != nil {
		return false, err
	}
	switch v := value.(type) {
	case nil:
		return false, nil
	case []byte:
		if v == nil { // go-sqlite3 passes NULL as a nil []byte
			return false, nil
		}
		return re.Match(v), nil
	case string:
		return re.MatchString(v), nil
	case int64:
		return re.MatchString(strconv.FormatInt(v, 10)), nil
	case float64:
		return re.MatchString(strconv.FormatFloat(v, 'g', -1, 64)), nil
	default:
		return re.MatchString(fmt.Sprint(v)), nil
	}
}
