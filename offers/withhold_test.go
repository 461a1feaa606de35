package offers

import (
	"slices"
	"testing"
)

func TestWithheldOffersAreNeverShown(t *testing.T) {
	c := funnelCatalog(t)
	only := func(ids ...string) func(*Offer) bool {
		return func(o *Offer) bool { return slices.Contains(ids, o.ID) }
	}
	if same, ids := c.Withhold(only()); same != c || ids != nil {
		t.Errorf("withholding nothing: %v, want the catalog itself", ids)
	}

	// The thermos, an entry: the page starts with the best entry left, and
	// the thermos's followers stay unreached.
	w, ids := c.Withhold(only("thermos", "nope"))
	if !slices.Equal(ids, []string{"thermos"}) {
		t.Errorf("withheld %v, want the thermos", ids)
	}
	if got := walk(w, orderContext(), History{}, 3, StepDeclined, StepDeclined); !slices.Equal(got, []string{"grinder"}) {
		t.Errorf("shown %v, want the grinder only", got)
	}
	if o := w.Offer("thermos"); o == nil || w.Len() != c.Len() {
		t.Errorf("the withheld offer left the catalog: %v, %d offers", o, w.Len())
	}
	// The catalog it came from is unchanged.
	if got := walk(c, orderContext(), History{}, 3, StepDeclined); !slices.Equal(got, []string{"thermos", "socks…"}) {
		t.Errorf("the original catalog shows %v, want thermos then socks", got)
	}

	// The tote, a follower: accepting the thermos passes over it as over
	// one that does not apply; the thermos as the step on the page gives
	// way too.
	w, _ = c.Withhold(only("tote"))
	if got := walk(w, orderContext(), History{}, 3, StepAccepted); !slices.Equal(got, []string{"thermos", "grinder…"}) {
		t.Errorf("with the tote withheld: shown %v, want thermos then grinder", got)
	}
	w, _ = c.Withhold(only("thermos"))
	f := Funnel{}.Show("thermos")
	if o := w.Next(PlacementThankYou, orderContext(), w.Select(PlacementThankYou, orderContext(), june, 20), f, History{}, june, 3); o == nil || o.ID != "grinder" {
		t.Errorf("a withheld offer on the page gives way to %v, want the grinder", o)
	}

	// The inline box: a declined thermos does not lead to withheld socks.
	w, _ = c.Withhold(only("socks"))
	declined := History{Declined: func(id string) bool { return id == "thermos" }}
	shelf := w.Shelf(PlacementThankYou, orderContext(), w.Select(PlacementThankYou, orderContext(), june, 20), declined, june, 3)
	if len(shelf) != 1 || shelf[0].ID != "grinder" {
		t.Errorf("shelf %v, want the grinder only", shelf)
	}
	// Withholding again keeps what was withheld.
	w, _ = w.Withhold(only("grinder"))
	if got := w.Select(PlacementThankYou, orderContext(), june, 20); slices.ContainsFunc(got, func(o *Offer) bool { return o.ID == "socks" || o.ID == "grinder" }) {
		t.Errorf("select %v, want neither the socks nor the grinder", got)
	}
}
