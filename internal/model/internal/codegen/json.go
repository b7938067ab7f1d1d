package codegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// node is a JSON value that keeps the order of object members, which
// encoding/json's maps lose: structure members must come out in the order
// the model states them.
type node struct {
	kind byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	obj  []field
	arr  []*node
	str  string
	num  json.Number
	b    bool
}

type field struct {
	key string
	val *node
}

// parseJSON decodes one JSON document into a node tree.
func parseJSON(b []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the top-level value")
	}
	return n, nil
}

func parseValue(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is %T", kt)
				}
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.obj = append(n.obj, field{k, v})
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, err
			}
			return n, nil
		case '[':
			n := &node{kind: 'a'}
			for dec.More() {
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return n, nil
		}
		return nil, fmt.Errorf("unexpected delimiter %v", t)
	case string:
		return &node{kind: 's', str: t}, nil
	case json.Number:
		return &node{kind: 'n', num: t}, nil
	case bool:
		return &node{kind: 'b', b: t}, nil
	case nil:
		return &node{kind: 'z'}, nil
	}
	return nil, fmt.Errorf("unexpected token %T", tok)
}

// get returns the value of key in an object node, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != 'o' {
		return nil
	}
	for _, f := range n.obj {
		if f.key == key {
			return f.val
		}
	}
	return nil
}

// getStr returns the string at key, "" when absent.
func (n *node) getStr(key string) (string, error) {
	v := n.get(key)
	if v == nil {
		return "", nil
	}
	if v.kind != 's' {
		return "", fmt.Errorf("%q is not a string", key)
	}
	return v.str, nil
}

// getBool returns the boolean at key, false when absent.
func (n *node) getBool(key string) (bool, error) {
	v := n.get(key)
	if v == nil {
		return false, nil
	}
	if v.kind != 'b' {
		return false, fmt.Errorf("%q is not a boolean", key)
	}
	return v.b, nil
}

// shapeRef returns the "shape" of a {"shape": "X"} reference at key.
func (n *node) shapeRef(key string) (string, error) {
	v := n.get(key)
	if v == nil {
		return "", nil
	}
	s, err := v.getStr("shape")
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	if s == "" {
		return "", fmt.Errorf("%s: missing shape", key)
	}
	return s, nil
}
