package doctor

import (
	"database/sql"
	"fmt"
)

// anomalies reports the exchanges whose bytes broke a rule of the
// specifications when the trace was decoded (a field out of range, a
// count beyond the buffer, bytes left over, a FastTransfer stream that
// does not follow its grammar, …). Each is either a client or server bug
// or a gap in mapiscope's decoders; the evidence shows which bytes.
type anomalies struct{}

func init() { register(anomalies{}) }

func (anomalies) ID() string { return "anomalies" }
func (anomalies) Title() string {
	return "Traffic that does not follow the specifications (decode anomalies)"
}

func (anomalies) Check(c *Context) []Finding {
	var ev []Evidence
	total := 0
	for _, e := range c.Exchanges() {
		if e.Anomalies == 0 {
			continue
		}
		total += e.Anomalies
		var dir, path, reason sql.NullString
		err := c.Trace.DB.QueryRowContext(c.ctx, `SELECT direction, path, reason FROM anomalies WHERE exchange_id = ? ORDER BY id LIMIT 1`,
			e.ID).Scan(&dir, &path, &reason)
		note := fmt.Sprintf("%d anomalies", e.Anomalies)
		if err == nil {
			note = fmt.Sprintf("%s %s: %s", dir.String, path.String, reason.String)
			if e.Anomalies > 1 {
				note += fmt.Sprintf(" (and %d more)", e.Anomalies-1)
			}
		}
		ev = append(ev, e.Evidence(note))
	}
	if len(ev) == 0 {
		return nil
	}
	return []Finding{{
		Severity: Warning,
		Title:    fmt.Sprintf("%s in %s", nof(total, "decode anomaly"), nof(len(ev), "exchange")),
		Evidence: ev,
		Explanation: "These exchanges hold bytes that break a rule of the Microsoft specifications: a value out of " +
			"range, a count that runs past the buffer, bytes left over, a FastTransfer stream out of its grammar. " +
			"Outlook may reject what the server sent (or the server what Outlook sent), or it is a gap in " +
			"mapiscope's decoders.",
		Fix: "Open each exchange (`mapiscope show TRACE ID`, or the Anomalies tab of the TUI) to see the field and " +
			"the bytes; report a server bug to its vendor with the exchange exported (`mapiscope export`), or a " +
			"decoder gap to mapiscope.",
	}}
}
