package client

import (
	"context"
	"fmt"
	"reflect"

	"github.com/mapiscope/mapiscope/decode/mapihttp"
	"github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
)

// AddressBook is a session context with the address book server endpoint
// (NSPI) — [MS-OXCMAPIHTTP] 2.2.5.
type AddressBook struct {
	c *conn
}

// NewAddressBook prepares a session with the address book endpoint at url
// (Autodiscover's AddressBook URL). Nothing is sent until Bind.
func NewAddressBook(url string, cfg Config) *AddressBook {
	return &AddressBook{c: newConn(cfg, "nspi", url, sessionAddressBook)}
}

// Cookies returns the session's cookies (name=value).
func (a *AddressBook) Cookies() []string { return a.c.Cookies() }

// DefaultSTAT is the STAT Outlook in English binds with: the Global
// Address List sorted by display name, code page 1252, locale 1033 —
// [MS-OXNSPI] 2.2.8.
func DefaultSTAT() nspi.STAT {
	return nspi.STAT{SortType: nspi.SortTypeDisplayName, CodePage: 1252, TemplateLocale: 1033, SortLocale: 1033}
}

// Call sends one address book request of type t and decodes the response
// into the type's response body. A failure layout (StatusCode not 0) is an
// error; ErrorCode is left to the caller.
func (a *AddressBook) Call(ctx context.Context, t mapihttp.RequestType, req nspi.Body) (nspi.Body, error) {
	resp := nspi.NewResponse(t)
	if resp == nil {
		return nil, fmt.Errorf("%s is not an address book request type", t)
	}
	body, err := nspi.Encode(nil, req)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding the request: %w", t, err)
	}
	out, _, err := a.c.do(ctx, t, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t, err)
	}
	dc := nspi.Decode(resp, out, 0, false)
	if err := dc.Err(); err != nil {
		return resp, fmt.Errorf("%s response: %w", t, err)
	}
	if r, ok := resp.(nspi.Response); ok && r.Status() != 0 {
		return resp, &StatusError{Op: t.String(), StatusCode: r.Status()}
	}
	return resp, nil
}

// errorCode returns the ErrorCode of a response body (0 when it has none).
func errorCode(b nspi.Body) prop.ErrorCode {
	v := reflect.ValueOf(b)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return 0
	}
	if f := v.Elem().FieldByName("ResponseHeader"); f.IsValid() {
		if h, ok := f.Addr().Interface().(*nspi.ResponseHeader); ok {
			return h.ErrorCode
		}
	}
	return 0
}

// call is Call that also refuses a nonzero ErrorCode.
func (a *AddressBook) call(ctx context.Context, t mapihttp.RequestType, req nspi.Body) (nspi.Body, error) {
	resp, err := a.Call(ctx, t, req)
	if err != nil {
		return resp, err
	}
	if ec := errorCode(resp); ec != 0 {
		return resp, &StatusError{Op: t.String(), ErrorCode: uint32(ec)}
	}
	return resp, nil
}

// Bind opens the session context — [MS-OXCMAPIHTTP] 2.2.5.1, [MS-OXNSPI]
// 3.1.4.1.1.
func (a *AddressBook) Bind(ctx context.Context, stat nspi.STAT) (*nspi.BindResponse, error) {
	r, err := a.call(ctx, mapihttp.TypeBind, &nspi.BindRequest{State: &stat})
	resp, _ := r.(*nspi.BindResponse)
	return resp, err
}

// Unbind ends the session context — [MS-OXCMAPIHTTP] 2.2.5.2.
func (a *AddressBook) Unbind(ctx context.Context) error {
	_, err := a.Call(ctx, mapihttp.TypeUnbind, &nspi.UnbindRequest{})
	return err
}

// ResolveNames resolves ambiguous names (display names, addresses) —
// [MS-OXCMAPIHTTP] 2.2.5.14, [MS-OXNSPI] 3.1.4.1.17 — returning one
// Minimal Entry ID per name (MID_UNRESOLVED, MID_AMBIGUOUS or the object)
// and a row of tags per resolved name.
func (a *AddressBook) ResolveNames(ctx context.Context, stat nspi.STAT, tags []prop.Tag, names []string) (*nspi.ResolveNamesResponse, error) {
	r, err := a.call(ctx, mapihttp.TypeResolveNames, &nspi.ResolveNamesRequest{State: &stat, PropertyTags: tags, NameValues: names})
	resp, _ := r.(*nspi.ResolveNamesResponse)
	return resp, err
}

// GetMatches finds the rows matching a restriction or a property —
// [MS-OXCMAPIHTTP] 2.2.5.5, [MS-OXNSPI] 3.1.4.1.10.
func (a *AddressBook) GetMatches(ctx context.Context, req *nspi.GetMatchesRequest) (*nspi.GetMatchesResponse, error) {
	r, err := a.call(ctx, mapihttp.TypeGetMatches, req)
	resp, _ := r.(*nspi.GetMatchesResponse)
	return resp, err
}

// DNToMId maps distinguished names to Minimal Entry IDs —
// [MS-OXCMAPIHTTP] 2.2.5.4, [MS-OXNSPI] 3.1.4.1.13.
func (a *AddressBook) DNToMId(ctx context.Context, dns []string) ([]uint32, error) {
	r, err := a.call(ctx, mapihttp.TypeDNToMId, &nspi.DNToMIdRequest{NameValues: dns})
	resp, _ := r.(*nspi.DNToMIdResponse)
	if resp == nil {
		return nil, err
	}
	return resp.MinimalIds, err
}

// GetProps reads properties of the object at stat.CurrentRec —
// [MS-OXCMAPIHTTP] 2.2.5.7, [MS-OXNSPI] 3.1.4.1.7. ErrorCode
// ecWarnWithErrors (some properties missing) is not an error.
func (a *AddressBook) GetProps(ctx context.Context, stat nspi.STAT, flags uint32, tags []prop.Tag) (*nspi.GetPropsResponse, error) {
	r, err := a.Call(ctx, mapihttp.TypeGetProps, &nspi.GetPropsRequest{Flags: flags, State: &stat, PropertyTags: tags})
	resp, _ := r.(*nspi.GetPropsResponse)
	if err == nil && resp.ErrorCode != 0 && resp.ErrorCode != ecWarnWithErrors {
		err = &StatusError{Op: "GetProps", ErrorCode: uint32(resp.ErrorCode)}
	}
	return resp, err
}

// ecWarnWithErrors — [MS-OXCDATA] 2.4.2: some of the properties asked for
// came back as errors.
const ecWarnWithErrors prop.ErrorCode = 0x00040380

// QueryRows reads rows of a table — [MS-OXCMAPIHTTP] 2.2.5.12,
// [MS-OXNSPI] 3.1.4.1.8.
func (a *AddressBook) QueryRows(ctx context.Context, req *nspi.QueryRowsRequest) (*nspi.QueryRowsResponse, error) {
	r, err := a.call(ctx, mapihttp.TypeQueryRows, req)
	resp, _ := r.(*nspi.QueryRowsResponse)
	return resp, err
}

// GetMailboxUrl asks for the mailbox endpoint URL of a server —
// [MS-OXCMAPIHTTP] 2.2.5.18.
func (a *AddressBook) GetMailboxUrl(ctx context.Context, serverDN string) (string, error) {
	r, err := a.call(ctx, mapihttp.TypeGetMailboxUrl, &nspi.GetMailboxUrlRequest{ServerDn: serverDN})
	if resp, ok := r.(*nspi.GetMailboxUrlResponse); ok && err == nil {
		return resp.ServerUrl, nil
	}
	return "", err
}

// GetAddressBookUrl asks for the address book endpoint URL for a user —
// [MS-OXCMAPIHTTP] 2.2.5.19.
func (a *AddressBook) GetAddressBookUrl(ctx context.Context, userDN string) (string, error) {
	r, err := a.call(ctx, mapihttp.TypeGetAddressBookUrl, &nspi.GetAddressBookUrlRequest{UserDn: userDN})
	if resp, ok := r.(*nspi.GetAddressBookUrlResponse); ok && err == nil {
		return resp.ServerUrl, nil
	}
	return "", err
}

// Ping checks that the endpoint is alive — [MS-OXCMAPIHTTP] 2.2.6.
func (a *AddressBook) Ping(ctx context.Context) error {
	_, _, err := a.c.do(ctx, mapihttp.TypePing, nil)
	return err
}
