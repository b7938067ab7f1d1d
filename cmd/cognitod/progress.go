package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress reports an export's or import's progress on stderr: a line
// redrawn in place (table, count/total, rows/s) when stderr is a terminal,
// and a plain log line every logEvery otherwise, so that a log file or CI
// output gets a few readable lines rather than thousands of carriage
// returns.
//
// It is written here rather than taken from a progress-bar library (e.g.
// github.com/schollz/progressbar/v3): what is needed is one line and its
// redraw, and a library's bar still has to be told apart from a
// non-terminal and replaced by log lines there, which is most of the work.
type progress struct {
	w        io.Writer
	what     string
	terminal bool

	mu        sync.Mutex
	start     time.Time
	last      time.Time // last line written
	rows      int64     // rows of finished tables
	table     string
	done      int64 // rows of the current table
	total     int64
	drawn     bool // a terminal line is on screen
	redraw    time.Duration
	logEvery  time.Duration
	timeClock func() time.Time
}

func newProgress(w io.Writer, what string) *progress {
	p := &progress{w: w, what: what, redraw: 200 * time.Millisecond, logEvery: 10 * time.Second, timeClock: time.Now}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	p.start = p.timeClock()
	p.last = p.start
	return p
}

// update is a dump.Progress.
func (p *progress) update(table string, done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if table != p.table {
		p.rows += p.done
		p.table, p.done = table, 0
	}
	p.done, p.total = done, total
	now := p.timeClock()
	every := p.logEvery
	if p.terminal {
		every = p.redraw
	}
	if now.Sub(p.last) < every {
		return
	}
	p.last = now
	p.write(now)
}

func (p *progress) write(now time.Time) {
	rows := p.rows + p.done
	rate := float64(rows) / max(now.Sub(p.start).Seconds(), 1e-3)
	line := fmt.Sprintf("%s: %s %d/%d rows, %d rows in all, %.0f rows/s", p.what, p.table, p.done, p.total, rows, rate)
	if p.terminal {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.drawn = true
	} else {
		fmt.Fprintln(p.w, line)
	}
}

// finish clears the progress line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}
