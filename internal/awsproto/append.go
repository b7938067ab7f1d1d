package awsproto

import (
	"encoding/json"
	"sync"
)

// Appender is a response that encodes itself as JSON, appending to b, with
// the bytes encoding/json would write for it. WriteJSON takes this path
// for the few large responses served hot (listing pages), where
// encoding/json's reflection, its Marshaler calls and their compaction,
// and the garbage they leave, cost as much as reading the page from the
// store. Each implementation is tested against encoding/json.
type Appender interface {
	AppendJSON(b []byte) []byte
}

// bodies recycles response buffers of Appender responses.
var bodies = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// AppendString appends s as a JSON string, exactly as encoding/json writes
// it. Plain ASCII, as identity IDs, names and provider names nearly always
// are, is copied as it is; any other string goes through encoding/json,
// so that escaping (control characters, quotes, <, >, &, U+2028, invalid
// UTF-8) never differs.
func AppendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
