package inject

import (
	"errors"
	"io"
	"sync"
)

// holdCap bounds the bytes an Injector holds back between writes: the
// longest undecided candidate is "<footer" (seven bytes); one more byte
// always decides it.
const holdCap = 8

// Injector streams HTML to a destination writer and inserts a snippet just
// before the document's site footer (a <footer> child of <body>; see
// AtBodyEnd), else just before its real </body> end tag: the first one
// that is not
// inside a comment, a raw-text element (script, style, textarea, title,
// noscript, xmp, iframe, noembed, noframes, plaintext) or an attribute
// value, in any letter case, with or without attributes or whitespace
// ("</body >", "</BODY foo>"). A document without one gets the snippet at
// Close.
//
// Bytes are written through as they arrive; only a possible "</body" or
// "<footer" split across writes (at most seven bytes) is held back until
// the next write decides it, and the tail from a possible site footer on
// (at most footerHoldCap bytes) until the end says whether it is one.
// Memory does not grow with the document.
//
// An Injector is not safe for concurrent use.
type Injector struct {
	dst     io.Writer
	snippet func() []byte
	err     error // first error from dst; every later call returns it

	sc       scanner
	hold     [holdCap]byte
	holdLen  int
	passing  bool // the snippet's place is behind us: bytes go straight to dst
	injected bool
	closed   bool
	noPlace  bool // the document ended with no place for the snippet

	// head holds the document's first bytes, where a byte order mark or
	// a <meta charset> would say it is not in an ASCII-compatible
	// encoding (charset.go).
	head    [headPrescan]byte
	headLen int

	// consumed counts input bytes accepted so far; insertedAt is the input
	// offset the snippet went in front of (-1 before that).
	consumed   int64
	insertedAt int64

	// held holds the page from a footer that may be the site footer on
	// (placement.go): footerAt is its input offset, bodyAt the index in
	// held of a "</body" the snippet may go in front of if the footer
	// turns out not to be the one (-1 while there is none).
	held     *footerBuf
	footerAt int64
	bodyAt   int
}

var injectorPool = sync.Pool{New: func() any { return new(Injector) }}

// errClosed is returned by Write after Close.
var errClosed = errors.New("inject: write after Close")

// New returns an Injector that writes to dst. snippet is called at most
// once, when the insertion point is reached (inside Write, or in Close when
// the document has no </body>); it may block, and may return nil to insert
// nothing. A nil snippet inserts nothing.
//
// Injectors come from a pool: New does not allocate in steady state.
// Release returns one to the pool once its results have been read.
func New(dst io.Writer, snippet func() []byte) *Injector {
	i := injectorPool.Get().(*Injector)
	i.reset(dst, snippet)
	return i
}

// reset makes i ready for a new document.
func (i *Injector) reset(dst io.Writer, snippet func() []byte) {
	i.sc.releaseBlocks()
	i.releaseHeld()
	*i = Injector{dst: dst, snippet: snippet, insertedAt: -1}
	i.sc.tree.footers = true
}

// Release returns i to the pool New draws from. i must not be used
// afterwards. Releasing is optional: an Injector that is not released is
// garbage collected like any value.
func (i *Injector) Release() {
	i.sc.releaseBlocks()
	i.releaseHeld()
	*i = Injector{}
	injectorPool.Put(i)
}

// Write streams p to the destination, inserting the snippet if p reaches
// its place. It reports len(p) when every byte was accepted (a few may be
// held back until the next Write or Close decides where they go).
func (i *Injector) Write(p []byte) (int, error) {
	if i.err != nil {
		return 0, i.err
	}
	if i.closed {
		return 0, errClosed
	}
	base := i.consumed
	i.consumed += int64(len(p))
	if i.passing {
		return i.writeDst(p)
	}
	i.noteHead(p)
	done := 0 // bytes of p written (or held) so far
	for {
		if i.held != nil {
			n, err := i.writeHeld(p[done:])
			done += n
			switch {
			case err != nil:
				return done, err
			case i.passing: // the hold ended with the snippet in
				n, err := i.writeDst(p[done:])
				return done + n, err
			case i.held != nil: // all of p is held
				return len(p), nil
			}
			continue // the footer was not the one: scan on
		}
		at := i.sc.scan(p[done:])
		if at == noMatch {
			break
		}
		at += done
		if i.sc.footerStart {
			if err := i.holdFooter(p, done, at, base); err != nil {
				return done, err
			}
			done = at + len("<footer") + 1
			continue
		}
		if i.placeable(i.sc.tree.bodyEnd() || i.sc.tokensOnly) {
			i.insertedAt = base + int64(at)
			n, err := i.insertAt(p[done:], at-done)
			return done + n, err
		}
		// No place in front of this </body>: it is written like any tag,
		// and the scan goes on after its name.
		next := at + len("</body") + 1
		i.sc.resumeAfterBody(p[next-1])
		if err := i.flushHold(); err != nil {
			return done, err
		}
		if n, err := i.writeDst(p[done:next]); err != nil {
			return done + n, err
		}
		done = next
	}
	q := p[done:]
	// No place in q. Write everything except a tail that may still become
	// a "</body"; a tail that began in an earlier write is all held.
	// holding means at most "</body" (six bytes) from the '<' on, so the
	// held bytes always fit.
	if i.sc.holding() {
		t := i.sc.tagStart + len(q) // scan rebased tagStart to the next write
		if t < 0 {
			i.holdLen += copy(i.hold[i.holdLen:], q)
			return len(p), nil
		}
		if err := i.flushHold(); err != nil {
			return done, err
		}
		if n, err := i.writeDst(q[:t]); err != nil {
			return done + n, err
		}
		i.holdLen = copy(i.hold[:], q[t:])
		return len(p), nil
	}
	if err := i.flushHold(); err != nil {
		return done, err
	}
	n, err := i.writeDst(q)
	return done + n, err
}

// insertAt writes p with the snippet in front of p[at] (at < 0: in front of
// the held-back bytes, which are where the "</body" began), then passes
// everything after through.
func (i *Injector) insertAt(p []byte, at int) (int, error) {
	i.passing = true
	i.sc.releaseBlocks()
	if at < 0 {
		// The held bytes are exactly the start of "</body".
		if err := i.writeSnippet(); err != nil {
			return 0, err
		}
		if err := i.flushHold(); err != nil {
			return 0, err
		}
		return i.writeDst(p)
	}
	if err := i.flushHold(); err != nil {
		return 0, err
	}
	n, err := i.writeDst(p[:at])
	if err != nil {
		return n, err
	}
	if err := i.writeSnippet(); err != nil {
		return n, err
	}
	m, err := i.writeDst(p[at:])
	return n + m, err
}

// Close ends the document. A site footer held back gets the snippet in
// front of it (placement.go). Without a place in front of a
// </body> the
// snippet goes at the end, in front of any bytes still held back (an
// unfinished "</bo" is no tag, and the snippet must not land inside it),
// when the state there allows it (see placement.go); else the document
// stays as it was (NoPlace). Then the held bytes are written. Close does
// not close the destination. Injected and the other results stay readable
// after Close.
func (i *Injector) Close() error {
	if i.closed {
		return i.err
	}
	i.closed = true
	i.sc.releaseBlocks()
	if i.err != nil {
		return i.err
	}
	if i.held != nil {
		if err := i.endHold(i.sc.tree.footerFits()); err != nil {
			return err
		}
	}
	if !i.passing {
		i.passing = true
		if i.placeable(i.sc.state == sData || i.sc.holding() && !i.sc.inStartTag()) {
			i.insertedAt = i.consumed - int64(i.holdLen)
			if err := i.writeSnippet(); err != nil {
				return err
			}
		} else {
			i.noPlace = true
		}
	}
	return i.flushHold()
}

// NoPlace reports, after Close, whether the document had no place where
// a browser would show the snippet in its body, so that it went through
// unchanged and the snippet was never asked for.
func (i *Injector) NoPlace() bool { return i.noPlace }

// placeable reports whether the snippet may go at the current point: the
// tokenizer there is in text (ok), the tree model allows it, and the
// document is in an encoding the snippet's bytes mean the same in.
func (i *Injector) placeable(ok bool) bool {
	if i.sc.tokensOnly {
		return ok
	}
	return ok && i.sc.tree.canPlace() && !i.foreignCharset()
}

// Injected reports whether a non-empty snippet was written.
func (i *Injector) Injected() bool { return i.injected }

// writeSnippet asks for the snippet (once) and writes it.
func (i *Injector) writeSnippet() error {
	if i.snippet == nil {
		return nil
	}
	b := i.snippet()
	i.snippet = nil
	if len(b) == 0 {
		return nil
	}
	if _, err := i.dst.Write(b); err != nil {
		i.err = err
		return err
	}
	i.injected = true
	return nil
}

// flushHold writes the held-back bytes, if any.
func (i *Injector) flushHold() error {
	if i.holdLen == 0 {
		return nil
	}
	n := i.holdLen
	i.holdLen = 0
	if _, err := i.dst.Write(i.hold[:n]); err != nil {
		i.err = err
		return err
	}
	return nil
}

// writeDst writes input bytes straight through, counting them.
func (i *Injector) writeDst(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := i.dst.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		i.err = err
	}
	return n, err
}
