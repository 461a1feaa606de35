package caddymodule

import (
	"hash/maphash"
	"testing"

	"github.com/kairoedge/kairo/internal/widget"
)

// A layout is found by its key, and only by its key: an entry that sits
// under the hash of another key (two keys sharing a hash) is no hit.
func TestLayoutCacheChecksTheKey(t *testing.T) {
	c, err := newLayoutCache(100)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	cart := widget.NewLayout(widget.Fragment{Placement: "cart"})
	c.set([]byte("cart||en-US|mug:-"), cart)
	c.entries.c.Wait()
	if got, ok := c.get([]byte("cart||en-US|mug:-")); !ok || got != cart {
		t.Fatalf("get of a stored key = %v %v, want its layout", got, ok)
	}
	if _, ok := c.get([]byte("cart||en-US|tote:-")); ok {
		t.Error("a key never stored was found")
	}
	// Another key's layout under this key's hash, as a collision would put it.
	other := []byte("cart||de-DE|mug:-")
	c.entries.setVisible(maphash.Bytes(c.seed, other), keyedLayout{key: "cart||en-US|mug:-", layout: cart})
	if got, ok := c.get(other); ok {
		t.Errorf("a layout made for another key was served: %v", got)
	}
}
