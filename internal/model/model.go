// Package model holds the Cognito Identity and Cognito Sync API models as Go
// tables. The tables are generated (see gen/) from the official api-2.json files
// in the github.com/aws/aws-sdk-go module cache, so that validation, routing and
// error status codes follow the model rather than hand-written per-field code.
package model

//go:generate go run ./gen

import (
	"regexp"
	"sync"
)

// Kind is the type of a shape.
type Kind uint8

const (
	String Kind = iota + 1
	Integer
	Long
	Boolean
	Timestamp
	Structure
	List
	Map
	Blob
	Double
)

// Shape is one shape of a model.
type Shape struct {
	Name    string
	Kind    Kind
	HasMin  bool
	Min     int64
	HasMax  bool
	Max     int64
	Pattern string // as written in the model; matched against the whole value
	Enum    []string
	// Structure members in model order.
	Members  []Member
	Required []string
	// List member / map key and value shape names.
	ListMember string
	MapKey     string
	MapValue   string
	// Exception shapes.
	Exception  bool
	Fault      bool
	HTTPStatus int // from the model's "error" trait; 0 when the model gives none

	reOnce sync.Once
	re     *regexp.Regexp
	fast   fastPattern // nil when the pattern needs the regexp
}

// Regexp returns the shape's pattern compiled and anchored at both ends (AWS
// validates patterns against the whole value), or nil when there is none.
// The pattern is read with Java's semantics (see JavaPattern), as AWS's
// services are written in Java.
func (s *Shape) Regexp() *regexp.Regexp {
	if s.Pattern == "" {
		return nil
	}
	s.compile()
	return s.re
}

func (s *Shape) compile() {
	s.reOnce.Do(func() {
		p := JavaPattern(s.Pattern)
		s.re = regexp.MustCompile(`^(?:` + p + `)$`)
		s.fast = compileFast(p)
	})
}

// MatchPattern reports whether v matches the shape's pattern (true when
// there is none): the same answer as Regexp().MatchString, by a loop over
// v for the patterns made of repeated classes and literals (fastpattern.go).
func (s *Shape) MatchPattern(v string) bool {
	if s.Pattern == "" {
		return true
	}
	s.compile()
	if s.fast != nil {
		return s.fast.match(v)
	}
	return s.re.MatchString(v)
}

// IsRequired reports whether the structure's member name is required.
func (s *Shape) IsRequired(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// Member returns the structure's member called name, or nil.
func (s *Shape) Member(name string) *Member {
	for i := range s.Members {
		if s.Members[i].Name == name {
			return &s.Members[i]
		}
	}
	return nil
}

// Member is a member of a structure shape.
type Member struct {
	Name         string
	Shape        string
	Location     string // "", "uri", "querystring" or "header"
	LocationName string
}

// Operation is one operation of a service.
type Operation struct {
	Name       string
	Method     string
	RequestURI string
	Input      string // shape name, "" when none
	Output     string
	Errors     []string
	// Unsigned reports the model's authtype "none": callers need no credentials.
	Unsigned bool
}

// InputShape returns the operation's input shape in svc, or nil when it has none.
func (o *Operation) InputShape(svc *Service) *Shape { return svc.Shapes[o.Input] }

// OutputShape returns the operation's output shape in svc, or nil when it has none.
func (o *Operation) OutputShape(svc *Service) *Shape { return svc.Shapes[o.Output] }

// Service is a whole API model.
type Service struct {
	Name         string // e.g. "cognito-identity"
	Protocol     string // "json" or "rest-json"
	TargetPrefix string
	SigningName  string
	APIVersion   string
	Operations   map[string]*Operation
	Shapes       map[string]*Shape
}

// Shape returns the named shape or nil.
func (s *Service) Shape(name string) *Shape { return s.Shapes[name] }
