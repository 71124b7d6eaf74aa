package store

import (
	"fmt"
	"sync"
	"testing"

	"github.com/mapiscope/mapiscope/decode/prop"
)

func benchMessage(i int) []prop.TaggedValue {
	return []prop.TaggedValue{
		{Tag: TagSubject, Value: fmt.Sprintf("Message number %d", i)},
		{Tag: TagBody, Value: "A short plain-text body of a typical notification mail.\r\n"},
		{Tag: TagSenderName, Value: "Ada Lovelace"},
		{Tag: TagSenderEmailAddress, Value: "ada@example.com"},
		{Tag: TagMessageDeliveryTime, Value: prop.Filetime(133000000000000000 + int64(i))},
		{Tag: TagImportance, Value: int32(1)},
	}
}

func BenchmarkCreateMessage(b *testing.B) {
	s := newStore(b)
	mb := newMailbox(b, s, "a@x")
	inbox := special(b, s, mb, RoleInbox)
	var size int64
	for _, v := range benchMessage(0) {
		size += int64(valueSize(v.Value))
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, err := s.CreateMessage(mb, inbox, false)
		if err != nil {
			b.Fatal(err)
		}
		m.SetProps(benchMessage(i))
		if err := m.SaveChanges(false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListContents(b *testing.B) {
	s := newStore(b)
	mb := newMailbox(b, s, "a@x")
	inbox := special(b, s, mb, RoleInbox)
	const n = 10000
	for i := 0; i < n; i++ {
		m, _ := s.CreateMessage(mb, inbox, false)
		m.SetProps(benchMessage(i))
		if err := m.SaveChanges(false); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows, err := s.Contents(mb, inbox, false)
		if err != nil || len(rows) != n {
			b.Fatal(len(rows), err)
		}
	}
	b.ReportMetric(float64(n), "rows/op")
}

func TestConcurrentSessions(t *testing.T) {
	s := newStore(t)
	mb := newMailbox(t, s, "a@x")
	inbox := special(t, s, mb, RoleInbox)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				m, err := s.CreateMessage(mb, inbox, false)
				if err == nil {
					m.SetProps(benchMessage(i))
					err = m.SaveChanges(false)
				}
				if err == nil {
					_, err = s.Contents(mb, inbox, false)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	c, _ := s.FolderCounts(mb, inbox)
	if c.Content != 160 {
		t.Errorf("content %d", c.Content)
	}
}
