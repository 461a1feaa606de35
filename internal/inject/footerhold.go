package inject

import "sync"

// Holding the page back from a footer that may be the site footer, until
// the end of the document says whether it is (placement_footer.go has the
// rule and its trade-offs).

// footerBuf holds the bytes from a footer's '<' on; at most footerHoldCap.
type footerBuf struct{ b []byte }

// footerBufs keeps the hold buffers between documents, so that holding a
// footer allocates nothing in steady state. A buffer starts small (most
// footers and what follows them take a few hundred bytes) and grows, up
// to footerHoldCap, for the pages that need it.
var footerBufs = sync.Pool{New: func() any { return &footerBuf{b: make([]byte, 0, 4<<10)} }}

// AtBodyEnd makes i put the snippet in front of </body> even when the page
// has a site footer (for a widget that moves itself to a place of the
// operator's choosing). Call it before the first Write.
func (i *Injector) AtBodyEnd() { i.sc.tree.footers = false }

// holdFooter starts holding the page at the candidate footer whose '<' is
// p[at] (at < done: it began in an earlier write, in the held-back bytes),
// and whose name ends at p[at+7]. p[done:at] is written first.
func (i *Injector) holdFooter(p []byte, done, at int, base int64) error {
	next := at + len("<footer") + 1
	i.held = footerBufs.Get().(*footerBuf)
	i.held.b = i.held.b[:0]
	i.footerAt = base + int64(at)
	i.bodyAt = -1
	if at < done {
		// The held-back bytes are exactly the tag's start.
		i.held.b = append(i.held.b, i.hold[:i.holdLen]...)
		i.holdLen = 0
		i.held.b = append(i.held.b, p[done:next]...)
	} else {
		if err := i.flushHold(); err != nil {
			return err
		}
		if _, err := i.writeDst(p[done:at]); err != nil {
			return err
		}
		i.held.b = append(i.held.b, p[at:next]...)
	}
	i.sc.tree.watchFooter()
	i.sc.resumeAfterFooter(p[next-1])
	return nil
}

// writeHeld scans q while a footer is held, holding its bytes, until q
// ends, the hold is full, or the watch shows the footer is not the site
// footer (then endHold writes the held bytes). It returns how many bytes
// of q it took.
func (i *Injector) writeHeld(q []byte) (int, error) {
	done := 0
	for done < len(q) {
		if i.sc.tree.footerLost() {
			return done, i.endHold(false)
		}
		room := footerHoldCap - len(i.held.b)
		if room == 0 {
			return done, i.endHold(false) // too long to hold: the </body> rule
		}
		piece := q[done : done+min(room, len(q)-done)]
		at, n := i.sc.scanHeld(piece)
		if at == noMatch {
			i.held.b = append(i.held.b, piece[:n]...)
			done += n
			continue
		}
		// A "</body": remember the first place in front of one, in case
		// the footer is not the one. The bytes from its '<' may be held
		// already (at < 0).
		next := at + len("</body") + 1
		if i.sc.tree.bodyEnd() && i.sc.tree.canPlace() && i.bodyAt < 0 {
			i.bodyAt = len(i.held.b) + at // the encoding is checked once, in endHold
		}
		i.sc.resumeAfterBody(piece[next-1])
		i.held.b = append(i.held.b, piece[:next]...)
		done += next
	}
	if i.sc.tree.footerLost() {
		return done, i.endHold(false)
	}
	return done, nil
}

// endHold ends a hold: the snippet goes in front of the footer (atFooter),
// else in front of the held "</body" that had a place, else nowhere yet
// (the held bytes go out, but for a possible "</body" prefix at their end,
// which goes back to the Injector's own hold, and the scan goes on).
func (i *Injector) endHold(atFooter bool) error {
	b := i.held.b
	i.sc.tree.watch.on = false
	at := -1
	switch {
	case atFooter:
		at = 0
	case i.bodyAt >= 0:
		at = i.bodyAt
	}
	if at >= 0 && i.foreignCharset() {
		at = -1 // no place in a document whose encoding the snippet's bytes do not fit
	}
	defer i.releaseHeld()
	if at < 0 {
		if i.sc.holding() {
			// The tag so far began -tagStart bytes before the next write.
			k := len(b) + i.sc.tagStart
			i.holdLen = copy(i.hold[:], b[k:])
			b = b[:k]
		}
		_, err := i.writeDst(b)
		return err
	}
	i.passing = true
	i.sc.releaseBlocks()
	i.insertedAt = i.footerAt + int64(at)
	if _, err := i.writeDst(b[:at]); err != nil {
		return err
	}
	if err := i.writeSnippet(); err != nil {
		return err
	}
	_, err := i.writeDst(b[at:])
	return err
}

// releaseHeld gives the hold buffer back to its pool.
func (i *Injector) releaseHeld() {
	if i.held != nil {
		footerBufs.Put(i.held)
		i.held = nil
	}
}
