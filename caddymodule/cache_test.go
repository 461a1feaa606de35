package caddymodule

import (
	"hash/maphash"
	"strings"
	"testing"
	"time"

	"github.com/kairoedge/kairo/internal/widget"
	"github.com/kairoedge/kairo/offers"
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

// A customer's cart is cached under a digest of their cookies: a key of
// the same length whatever the cookies (the browser makes them as long as
// it likes), the same for the same cookies, another for others.
func TestContextKeyIsADigestOfTheCookies(t *testing.T) {
	short := contextKey(offers.PlacementCart, "", "session=S1")
	long := contextKey(offers.PlacementCart, "", "session=S1; junk="+strings.Repeat("x", 1<<20))
	if len(short) != len(long) || len(long) > 32 {
		t.Errorf("key lengths %d and %d, want one short length", len(short), len(long))
	}
	if short != contextKey(offers.PlacementProduct, "", "session=S1") {
		t.Error("the same cookies give another key on another pre-purchase placement")
	}
	if short == contextKey(offers.PlacementCart, "", "session=S2") {
		t.Error("two customers share a key")
	}
	if contextKey(offers.PlacementThankYou, "1001", "session=S1") != "order\x001001" {
		t.Error("an order's key changed")
	}
}

// A widget whose layout key would hold a product id too long for any
// store's product (one from a page's address) is built, not kept.
func TestLayoutOfAnOverlongProductIsNotKept(t *testing.T) {
	h := provisionedWith(t, "http://127.0.0.1:1", "1s", 0)
	picked := []offers.Pick{h.catalog.Offers()[0].Resolve("cart-1")}
	for _, tt := range []struct {
		id   string
		kept bool
	}{{"mug", true}, {strings.Repeat("m", 4096), false}} {
		product := &offers.ProductContext{ProductID: tt.id}
		frag, err := h.fragment(nil, offers.PlacementProduct, "cart-1", "b", picked, offers.Locale{}, "/", "", product, time.Time{})
		if err != nil || len(frag) == 0 {
			t.Fatalf("fragment: %v", err)
		}
		h.layouts.entries.c.Wait()
		var keyBuf []byte
		key := append(appendLayoutKey(keyBuf, offers.PlacementProduct, "", offers.Locale{}.Tag(), picked), productKey(product)...)
		if _, kept := h.layouts.get(key); kept != tt.kept {
			t.Errorf("product id of %d bytes: layout kept %v, want %v", len(tt.id), kept, tt.kept)
		}
	}
}
