package offers_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/kairoedge/kairo/offers"
)

// A thank-you page with one offer: load the catalog, read the order the
// store sent, select, resolve, sign; later, verify the accepted token.
func Example() {
	catalog, err := offers.ParseCatalog("offers.json", []byte(`{"version": 1, "offers": [{
		"id": "thermos-20",
		"placements": ["thank_you"],
		"trigger": {"tags": ["coffee"], "statuses": ["paid"]},
		"product": {"product_id": "thermos", "title": "Steel thermos", "unit_price": 2499, "currency": "USD"},
		"discount": {"percent": 20},
		"expires_after": "10m"
	}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	order, err := offers.ParseContext([]byte(`{"id": "1001", "currency": "USD", "subtotal": 2999,
		"items": [{"product_id": "beans", "quantity": 1, "unit_price": 2999, "tags": ["coffee"]}],
		"status": "paid"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2025, 11, 28, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	signer, err := offers.NewSigner([][]byte{[]byte("replace with 32+ random bytes ...")}, clock)
	if err != nil {
		fmt.Println(err)
		return
	}

	var token string
	for _, o := range catalog.Select(offers.PlacementThankYou, order, now, 3) {
		pick := o.Resolve(order.ID)
		fmt.Printf("%s for %s instead of %s\n", pick.Title, pick.FinalUnitPrice.Format(), pick.UnitPrice.Format())
		token, _ = signer.Sign(pick.Claims(offers.PlacementThankYou, order.ID, now))
	}

	// The customer clicks "Add to my order" five minutes later.
	now = now.Add(5 * time.Minute)
	claims, err := signer.VerifyFor(token, order.ID)
	fmt.Println(claims.OfferID, offers.Money{Amount: claims.UnitPrice, Currency: claims.Currency}, claims.ExpiresAt, err)

	// Too late.
	now = now.Add(time.Hour)
	_, err = signer.VerifyFor(token, order.ID)
	fmt.Println(errors.Is(err, offers.ErrExpired))
	// Output:
	// Steel thermos for $19.99 instead of $24.99
	// thermos-20 19.99 USD 2025-11-28 10:10:00 +0000 UTC <nil>
	// true
}

// Every problem of a catalog is reported at once, each naming the file, the
// offer and the field.
func ExampleParseCatalog_problems() {
	_, err := offers.ParseCatalog("offers.json", []byte(`{"version": 1, "offers": [{
		"id": "thermos-10",
		"placements": ["thank_you", "basket"],
		"triggr": {"tags": ["coffee"]},
		"product": {"product_id": "thermos", "title": "Steel thermos", "unit_price": 2499, "currency": "usd"},
		"discount": {"percent": 120},
		"on_decline": "thermos-5"
	}]}`))
	fmt.Println(err)
	// Output:
	// offers.json: offer "thermos-10": unknown field "triggr" (did you mean "trigger"?)
	// offers.json: offer "thermos-10": placements[1]: "basket" is not a placement (want "cart", "thank_you", "product", "checkout" or "popup")
	// offers.json: offer "thermos-10": product.currency: "usd" is not an ISO 4217 code (codes are upper case: "USD")
	// offers.json: offer "thermos-10": discount.percent: 120 is over 100
	// offers.json: offer "thermos-10": on_decline: no offer "thermos-5" in the catalog
}

func ExampleMoney_Format() {
	for _, m := range []offers.Money{
		{Amount: 1499, Currency: "USD"},
		{Amount: 1499, Currency: "EUR"},
		{Amount: 1499, Currency: "JPY"},
		{Amount: 123456, Currency: "CHF"},
		{Amount: 1500, Currency: "KWD"},
	} {
		fmt.Printf("%-12s %s\n", m.Format(), m)
	}
	// Output:
	// $14.99       14.99 USD
	// €14.99       14.99 EUR
	// ¥1,499       1499 JPY
	// 1,234.56 CHF 1234.56 CHF
	// 1.500 KWD    1.500 KWD
}

func ExamplePercentOff() {
	fmt.Println(offers.PercentOff(1995, 10)) // 199.5 rounds half-up
	fmt.Println(offers.PercentOff(1999, 15)) // 299.85
	// Output:
	// 200
	// 300
}

// With variants, each customer is assigned one, by a stable hash of the
// offer id and their cart or order id, in proportion to the weights.
func ExampleOffer_Resolve() {
	catalog, err := offers.ParseCatalog("offers.json", []byte(`[{
		"id": "mug-test",
		"placements": ["cart"],
		"product": {"product_id": "mug", "title": "Mug", "unit_price": 1200, "currency": "EUR"},
		"discount": {"percent": 10},
		"variants": [
			{"id": "control", "weight": 50},
			{"id": "bigger-discount", "weight": 50, "title": "Mug, 25% off", "discount": {"percent": 25}}
		]
	}]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	offer := catalog.Offer("mug-test")
	for _, cart := range []string{"cart-1", "cart-2", "cart-3", "cart-1"} {
		p := offer.Resolve(cart)
		fmt.Println(cart, p.Variant, p.Title, p.FinalUnitPrice.Format())
	}
	// Output:
	// cart-1 control Mug €10.80
	// cart-2 control Mug €10.80
	// cart-3 bigger-discount Mug, 25% off €9.00
	// cart-1 control Mug €10.80
}
