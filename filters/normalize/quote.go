package normalize

// qmark is an open quotation mark waiting for its closing mark.
type qmark struct {
	kind uint8
	tok  int // index of the first token after the mark
}

// quotes reads the quotation marks among cells [from, to), which lie
// between tokens, and marks as Quoted the tokens between an opening mark
// and its closing mark. Marks that never close quote nothing.
func (w *emitter) quotes(cs []cell, from, to int) {
	for i := from; i < to; i++ {
		c := &cs[i]
		if c.cls != clsPunct || c.aux == qNone {
			continue
		}
		// A run of the same mark ("```", "''") counts once.
		j := i + 1
		for j < len(cs) && cs[j].cls == clsPunct && cs[j].aux == c.aux {
			j++
		}
		prev := i > 0 && wordy(&cs[i-1])
		next := j < len(cs) && wordy(&cs[j])
		w.quote(c.aux, prev, next)
		i = j - 1
	}
}

// quote applies one quotation mark of kind k; prev and next report
// whether a word touches it on the left and on the right.
func (w *emitter) quote(k uint8, prev, next bool) {
	switch k {
	case qSingle, qBacktick:
		switch {
		case prev && next: // an apostrophe inside a word
		case next: // at a word start
			w.open(k)
		case prev: // at a word end
			w.close(k, k, k)
		case k == qBacktick: // alone: "` code `"
			if !w.close(k, k, k) {
				w.open(k)
			}
		}
	case qDouble:
		if !w.close(k, k, k) {
			w.open(k)
		}
	case qDoubleLeft: // “ opens, or closes German „…“
		if !w.close(qDoubleLow, qDoubleLow, qDoubleLow) {
			w.open(k)
		}
	case qDoubleRight: // ” closes “…”, „…” and Swedish ”…”
		if !w.close(qDoubleLeft, qDoubleLow, qDoubleRight) {
			w.open(k)
		}
	case qDoubleLow, qCornerLeft, qWCornerLeft:
		w.open(k)
	case qGuilLeft, qAngleLeft: // «…», or closes »…«
		if !w.close(k+1, k+1, k+1) {
			w.open(k)
		}
	case qGuilRight, qAngleRight:
		if !w.close(k-1, k-1, k-1) {
			w.open(k)
		}
	case qCornerRight, qWCornerRight:
		w.close(k-1, k-1, k-1)
	}
}

func (w *emitter) open(k uint8) {
	w.stack = append(w.stack, qmark{kind: k, tok: len(w.tokens)})
}

// close looks for the innermost open mark of kind a, b or c; when found,
// the tokens since that mark are quoted and the marks opened after it,
// left unclosed, are forgotten.
func (w *emitter) close(a, b, c uint8) bool {
	for x := len(w.stack) - 1; x >= 0; x-- {
		if k := w.stack[x].kind; k == a || k == b || k == c {
			for i := w.stack[x].tok; i < len(w.tokens); i++ {
				w.quoted[i] = true
			}
			w.stack = w.stack[:x]
			return true
		}
	}
	return false
}
