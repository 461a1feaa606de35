package caddymodule

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/kairoedge/kairo/internal/widget"
	"github.com/kairoedge/kairo/offers"
)

func TestUnmarshalPrePurchaseOptions(t *testing.T) {
	src := `upsell {
		product /products/{product_id} /p/{product_id}
		checkout /checkout
		popup_after POST /cart/add
		popup_after post /api/cart/*
		popup_cap 2
		placement checkout {
			mount "#checkout-pay"
			after_add reload
			text add "Add"
			text save "and save"
		}
		placement product {
			text heading "Goes well with it"
		}
	}`
	var got Handler
	if err := got.UnmarshalCaddyfile(caddyfile.NewTestDispenser(src)); err != nil {
		t.Fatal(err)
	}
	if got.CaddyfileLines["placement product"] != "Testfile:13" || got.CaddyfileLines["popup_cap"] != "Testfile:6" {
		t.Errorf("CaddyfileLines %v", got.CaddyfileLines)
	}
	got.CaddyfileLines = nil
	want := Handler{
		ProductPaths:  []string{"/products/{product_id}", "/p/{product_id}"},
		CheckoutPaths: []string{"/checkout"},
		PopupAfter:    []string{"POST /cart/add", "post /api/cart/*"},
		PopupCap:      2,
		Placements: map[string]*PlacementOptions{
			"checkout": {Mount: "#checkout-pay", AfterAdd: "reload", Text: map[string]string{"add": "Add", "save": "and save"}},
			"product":  {Text: map[string]string{"heading": "Goes well with it"}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	for _, tt := range []struct{ src, want string }{
		{`upsell {
			product
		}`, "wrong argument count"},
		{`upsell {
			popup_after /cart/add
		}`, "needs a method and a path"},
		{`upsell {
			popup_cap some
		}`, "is not a whole number"},
		{`upsell {
			placement checkout {
				colour red
			}
		}`, `unknown option "colour" in placement checkout`},
		{`upsell {
			placement checkout {
				text heading
			}
		}`, "text needs a key and the words"},
	} {
		var h Handler
		err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "Testfile:") {
			t.Errorf("%s\nerror %v, want one naming the line and containing %q", tt.src, err, tt.want)
		}
	}
}

func TestProvisionRejectsBadPrePurchaseSettings(t *testing.T) {
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	for _, tt := range []struct {
		name    string
		change  func(*Handler)
		wantErr string
	}{
		{"product without its id", func(h *Handler) { h.ProductPaths = []string{"/products/x"} }, "no {product_id} segment"},
		{"product capturing an order", func(h *Handler) { h.ProductPaths = []string{"/p/{order_id}"} }, "no {product_id} segment"},
		{"popup_after without a method", func(h *Handler) { h.PopupAfter = []string{"/cart/add"} }, "want a method and a path"},
		{"popup_after with a bad method", func(h *Handler) { h.PopupAfter = []string{"FETCH /cart/add"} }, "want a method and a path"},
		{"unknown placement", func(h *Handler) { h.Placements = map[string]*PlacementOptions{"sidebar": {}} }, `placement "sidebar"`},
		{"after_add other than reload", func(h *Handler) {
			h.Placements = map[string]*PlacementOptions{"checkout": {AfterAdd: "refresh"}}
		}, `after_add "refresh"`},
		{"unknown text", func(h *Handler) {
			h.Placements = map[string]*PlacementOptions{"popup": {Text: map[string]string{"headline": "x"}}}
		}, `text "headline" is not a text of the widget`},
		{"cart's box shows no note", func(h *Handler) {
			h.Placements = map[string]*PlacementOptions{"cart": {Text: map[string]string{"heading": "x", "note": "x"}}}
		}, `placement cart: text "note" is not a text of the widget (want one of button, decline, each, ends_in, heading, offer_price, quantity, regular, shipping; or one of the results' `},
		{"unknown result", func(h *Handler) {
			h.Placements = map[string]*PlacementOptions{"checkout": {Text: map[string]string{"result_sold_out": "x"}}}
		}, `text "result_sold_out" is not a text of the widget (want one of add, `},
		{"thank_you's box words only", func(h *Handler) {
			h.Placements = map[string]*PlacementOptions{"thank_you": {Text: map[string]string{"heading": "x", "note": "x", "add": "x"}}}
		}, `placement thank_you: text "add" is not a text of the widget (want one of button, decline, each, ends_in, heading, note, `},
		{"post_purchase is no placement", func(h *Handler) { h.Placements = map[string]*PlacementOptions{"post_purchase": {}} }, `placement "post_purchase"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := &Handler{
				Catalog: "../demo/offers.json", Secrets: []string{testSecret},
				CartPaths: []string{"/cart"}, StoreRaw: json.RawMessage(`{"url":"http://127.0.0.1:1"}`),
			}
			tt.change(h)
			err := h.Provision(ctx)
			h.Cleanup()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Provision error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestMatchPrePurchasePages(t *testing.T) {
	h := &Handler{ProductPaths: []string{"/products/{product_id}"}, CheckoutPaths: []string{"/checkout"}, PopupAfter: []string{"POST /cart/add"}}
	if err := h.provisionPrePurchase(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path, wantPl, wantID string
	}{
		{"/products/mug", "product", "mug"},
		{"/products/mug/reviews", "", ""},
		{"/products/", "", ""},
		{"/checkout", "checkout", ""},
		{"/checkout/success/1", "", ""},
	} {
		pl, id, ok := h.matchPrePurchase(tt.path)
		if string(pl) != tt.wantPl || id != tt.wantID || ok != (tt.wantPl != "") {
			t.Errorf("%s: %q %q %v, want %q %q", tt.path, pl, id, ok, tt.wantPl, tt.wantID)
		}
	}
	for _, tt := range []struct {
		method, path string
		want         bool
	}{
		{"POST", "/cart/add", true},
		{"GET", "/cart/add", false},
		{"POST", "/cart/add/x", false},
	} {
		r := httptest.NewRequest(tt.method, tt.path, nil)
		if got := h.popupTriggered(r); got != tt.want {
			t.Errorf("%s %s triggers the pop-up: %v, want %v", tt.method, tt.path, got, tt.want)
		}
	}
}

// TestAddedWriterMarksOnlySuccess: the pop-up's mark goes on a store's
// successful add-to-cart, whichever way the body is written, and never on
// a refusal.
func TestAddedWriterMarksOnlySuccess(t *testing.T) {
	h := &Handler{}
	for _, tt := range []struct {
		name   string
		next   func(w http.ResponseWriter)
		marked bool
	}{
		{"redirect", func(w http.ResponseWriter) { w.Header().Set("Location", "/cart"); w.WriteHeader(http.StatusSeeOther) }, true},
		{"body without a status", func(w http.ResponseWriter) { w.Write([]byte(`{"ok":true}`)) }, true},
		{"body by ReadFrom", func(w http.ResponseWriter) { _, _ = io.Copy(w, strings.NewReader(`{"ok":true}`)) }, true},
		{"refused", func(w http.ResponseWriter) { w.WriteHeader(http.StatusUnprocessableEntity) }, false},
		{"early hints, then a redirect", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusEarlyHints)
			w.Header().Set("Location", "/cart")
			w.WriteHeader(http.StatusSeeOther)
		}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
				tt.next(w)
				return nil
			})
			if err := h.serveAddToCart(rec, httptest.NewRequest("POST", "/cart/add", nil), next); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(rec.Header().Get("Set-Cookie"), addedCookie+"=1"); got != tt.marked {
				t.Errorf("marked %v, want %v (status %d)", got, tt.marked, rec.Code)
			}
		})
	}
}

// An add to cart forgets the customer's cached cart (context_ttl): the
// pop-up asked for right after it, and the next page, see the new cart.
// The cart is cached under the cookies the store sees, without Kairo's.
func TestAddToCartForgetsTheCachedCart(t *testing.T) {
	contexts, err := newTTLCache[string, *offers.Context](100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer contexts.close()
	h := &Handler{contexts: contexts}
	r := httptest.NewRequest("POST", "/cart/add", nil)
	r.Header.Set("Cookie", "session=S1; "+cartCookieName+"=YmVuY2gtYnJvd3Nlci0wMQ; "+buyerCookiePrefix+"x=1")
	key := h.contextCacheKey(offers.PlacementProduct, "", shopper(r))
	if key == "" {
		t.Fatal("no cache key for the shopper")
	}
	contexts.setVisible(key, &offers.Context{ID: "cart-before-the-add"})
	next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusSeeOther)
		return nil
	})
	if err := h.serveAddToCart(httptest.NewRecorder(), r, next); err != nil {
		t.Fatal(err)
	}
	if sc, ok := contexts.get(key); ok {
		t.Errorf("the cart from before the add is still cached (%s)", sc.ID)
	}
}

func TestCombineResults(t *testing.T) {
	ok := func(id, total string) offerResult {
		out := outcomes["accepted"]
		out.Total = total
		return offerResult{OfferID: id, Outcome: out}
	}
	sold := offerResult{OfferID: "b", Outcome: outcomes["out_of_stock"]}
	for _, tt := range []struct {
		name          string
		results       []offerResult
		status, total string
	}{
		{"one", []offerResult{sold}, "out_of_stock", ""},
		{"all added", []offerResult{ok("a", "$10.00"), ok("c", "$20.00")}, "accepted", "$20.00"},
		{"none added", []offerResult{sold, {OfferID: "x", Outcome: outcomes["expired"]}}, "out_of_stock", ""},
		{"some added", []offerResult{ok("a", "$10.00"), sold}, "partly_added", "$10.00"},
	} {
		got := combineResults(tt.results)
		if got.Status != tt.status || got.Total != tt.total {
			t.Errorf("%s: %s %q, want %s %q", tt.name, got.Status, got.Total, tt.status, tt.total)
		}
	}
	if out := outcomes["partly_added"]; out.HTTPStatus < 300 {
		t.Errorf("a partly added bundle answers %d, which a script reads as all added", out.HTTPStatus)
	}
}

func TestBundleViewPricesEveryChoice(t *testing.T) {
	mug := offers.Pick{OfferID: "mug", Quantity: 1,
		UnitPrice: offers.Money{Amount: 1999, Currency: "USD"}, Discount: offers.Money{Amount: 400, Currency: "USD"}, FinalUnitPrice: offers.Money{Amount: 1599, Currency: "USD"}}
	socks := offers.Pick{OfferID: "socks", Quantity: 2,
		UnitPrice: offers.Money{Amount: 500, Currency: "USD"}, FinalUnitPrice: offers.Money{Amount: 500, Currency: "USD"}}
	page, totals := bundleView([]offers.Pick{mug, socks}, &offers.ProductContext{ProductID: "beans", Title: "Beans", Image: "javascript:x", UnitPrice: 1499, Currency: "USD"}, offers.Locale{})
	if *page != (widget.PageProduct{Title: "Beans", Price: "$14.99"}) {
		t.Errorf("page product %+v (a javascript: image must go)", *page)
	}
	want := []widget.Total{
		{Price: "$0.00", Together: "$14.99"},
		{Price: "$15.99", Saving: "$4.00", Together: "$30.98"},
		{Price: "$10.00", Together: "$24.99"},
		{Price: "$25.99", Saving: "$4.00", Together: "$40.98"},
	}
	if !reflect.DeepEqual(totals, want) {
		t.Errorf("totals %+v\nwant   %+v", totals, want)
	}
	// Without a product context, no "together" line.
	if _, totals := bundleView([]offers.Pick{mug}, nil, offers.Locale{}); totals[1].Together != "" {
		t.Errorf("a together price without the page's price: %+v", totals[1])
	}
}

// TestProductPageTargetsThePageProduct: a product page targets by its
// product (from product_context, or its id alone when that call fails) and
// shows nothing beside a product out of stock.
func TestProductPageTargetsThePageProduct(t *testing.T) {
	for _, tt := range []struct {
		name, productAnswer string
		productStatus       int
		path, outcome       string
	}{
		{"in stock", `{"product_id":"coffee-beans","currency":"USD","unit_price":1499,"in_stock":true}`, 200, "/products/coffee-beans", "injected"},
		{"out of stock", `{"product_id":"coffee-beans","currency":"USD","unit_price":1499,"in_stock":false}`, 200, "/products/coffee-beans", "no_offers"},
		{"product call fails", `oops`, 500, "/products/coffee-beans", "injected"},
		{"no offer for this product", `{"product_id":"socks"}`, 200, "/products/socks", "no_offers"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if strings.HasPrefix(r.URL.Path, "/api/products/") {
					w.WriteHeader(tt.productStatus)
					io.WriteString(w, tt.productAnswer)
					return
				}
				io.WriteString(w, `{"id":"c1","currency":"USD","subtotal":0,"items":[]}`)
			}))
			t.Cleanup(store.Close)
			h := &Handler{
				Catalog: "../demo/offers.json", Secrets: []string{testSecret},
				ProductPaths: []string{"/products/{product_id}"},
				StoreRaw:     json.RawMessage(`{"url":"` + store.URL + `","timeout":"2s","product_context":"/api/products/{product_id}"}`),
			}
			ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
			t.Cleanup(cancel)
			if err := h.Provision(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { h.Cleanup() })
			rec, repl := serve(t, h, "GET", tt.path, "text/html")
			if outcome, _ := repl.GetString("http.upsell.outcome"); outcome != tt.outcome {
				t.Errorf("outcome %q, want %q", outcome, tt.outcome)
			}
			if pl, _ := repl.GetString("http.upsell.placement"); pl != "product" {
				t.Errorf("placement %q, want product", pl)
			}
			body := rec.Body.String()
			if tt.outcome == "injected" {
				if !strings.Contains(body, `data-kairo-offer="fbt-beans-mug"`) || !strings.Contains(body, `data-kairo-offer="fbt-beans-tote"`) {
					t.Errorf("the bundle lacks its offers:\n%s", body)
				}
			} else if body != storePage {
				t.Errorf("the page changed:\n%s", body)
			}
		})
	}
}

func TestPopupLinksToTheCartPage(t *testing.T) {
	for _, tt := range []struct {
		cart []string
		text map[string]string
		want string
	}{
		{[]string{"/basket/*", "/basket"}, nil, "/basket"},
		{[]string{"/basket"}, map[string]string{"cart_url": "/b?x=1"}, "/b?x=1"},
		{[]string{"/shop/*"}, nil, ""},
	} {
		h := &Handler{}
		var err error
		if h.cartPaths, err = parsePatterns(tt.cart, ""); err != nil {
			t.Fatal(err)
		}
		if got := h.withCartURL(tt.text)["cart_url"]; got != tt.want {
			t.Errorf("cart %v, text %v: cart_url %q, want %q", tt.cart, tt.text, got, tt.want)
		}
	}
}
