//go:build !unix

package sqlite

import "errors"

// walIndex is unix only; elsewhere Generation asks a read connection
// (generation.go).
type walIndex struct{}

const walHeaderBytes = 96

func openWALIndex(string) (*walIndex, error) {
	return nil, errors.New("no WAL-index mapping on this system")
}

func (w *walIndex) header() (h [walHeaderBytes / 4]uint32) { return h }

func (w *walIndex) release() error { return nil }
