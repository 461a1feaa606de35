package offers

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits of catalog v1. They keep every amount far from int64 overflow and
// every string short enough for a token, a header and a log line.
const (
	maxIDLength      = 64                // offer and variant ids
	maxTextLength    = 512               // product ids, titles, image URLs
	maxUnitPrice     = 1_000_000_000_000 // minor units
	maxQuantity      = 1000
	maxExpiresAfter  = 24 * time.Hour
	maxDescription   = 1000 // bytes of a product description
	maxQuantityRange = 10   // choices a quantity picker offers
	maxOptions       = 20   // choices a variant picker offers
	maxCapPeriod     = 366 * 24 * time.Hour
	totalWeight      = 100 // variant weights add up to this
	placementChoices = `"cart", "thank_you", "product", "checkout" or "popup"`
)

// validate checks everything about the offer that can be checked without
// the rest of the catalog, fills defaults and normalises tags.
func (d *draft) validate() {
	o := d.offer
	d.validateID("id", o.ID)
	d.validatePlacements()
	priceOK := d.validateProduct()
	d.validateTrigger()
	if d.ok("discount") {
		d.validateDiscount("discount", o.Discount, o.Product, priceOK)
	}
	d.validateQuantity()
	d.validateSchedule()
	d.validateVariants(priceOK)
	if d.ok("on_decline") && o.OnDecline == "" {
		d.problem("on_decline", "empty (leave it out for no downsell)")
	}
	if d.ok("on_accept") && o.OnAccept == "" {
		d.problem("on_accept", "empty (leave it out for no next step)")
	}
	d.validateMaxQuantity()
	d.validateShipping()
	d.validateWording()
	d.validateCap()
	lowerAll(o.Trigger.Tags)
	lowerAll(o.Trigger.CustomerTags)
	lowerAll(o.Trigger.Statuses)
}

// validateID checks an offer or variant id: present, short, and made of
// characters that are safe in a URL, an HTML attribute and a metric label.
func (d *draft) validateID(path, id string) {
	switch {
	case d.failed[path]:
	case id == "":
		d.problem(path, "missing")
	case len(id) > maxIDLength:
		d.problem(path, "longer than %d characters", maxIDLength)
	case !validID(id):
		d.problem(path, "%s may only hold letters, digits, '.', '_' and '-'", strconv.Quote(id))
	}
}

// validID reports whether id holds only ASCII letters, digits, '.', '_' and
// '-'.
func validID(id string) bool {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (d *draft) validatePlacements() {
	o := d.offer
	want := " (want one or more of " + placementChoices + ")"
	if !d.required("placements", want) {
		return
	}
	if len(o.Placements) == 0 {
		d.problem("placements", "empty%s", want)
		return
	}
	for i, p := range o.Placements {
		path := "placements[" + strconv.Itoa(i) + "]"
		if !p.Valid() {
			d.problem(path, "%s is not a placement (want %s)", strconv.Quote(string(p)), placementChoices)
		} else if i > 0 && slices.Contains(o.Placements[:i], p) {
			d.problem(path, "%s is listed twice", strconv.Quote(string(p)))
		}
	}
}

// validateProduct checks the product and reports whether its unit price and
// currency are sound, so that discounts can be checked against them.
func (d *draft) validateProduct() (priceOK bool) {
	if !d.required("product", "") {
		return false
	}
	pr := d.offer.Product
	d.validateText("product.product_id", pr.ProductID, true)
	d.validateText("product.variant_id", pr.VariantID, false)
	d.validateText("product.title", pr.Title, true)
	if d.ok("product.description") && len(pr.Description) > maxDescription {
		d.problem("product.description", "longer than %d bytes", maxDescription)
	}
	d.validateImage("product.image", pr.Image)
	d.validateOptions()
	priceOK = d.required("product.unit_price", "")
	switch {
	case !priceOK:
	case pr.UnitPrice <= 0:
		d.problem("product.unit_price", "%d is not above zero", pr.UnitPrice)
		priceOK = false
	case pr.UnitPrice > maxUnitPrice:
		d.problem("product.unit_price", "%d is over the limit of %d", pr.UnitPrice, int64(maxUnitPrice))
		priceOK = false
	}
	return d.validateCurrency("product.currency", pr.Currency) && priceOK
}

// required reports whether the value at path was given and decoded; a value
// not given is reported missing, followed by want, which says what to give.
func (d *draft) required(path, want string) bool {
	if !d.given[path] && !d.failed[path] {
		d.problem(path, "missing%s", want)
	}
	return d.ok(path)
}

// validateText checks a string field: present if required, not too long.
// (encoding/json has already replaced any invalid UTF-8.)
func (d *draft) validateText(path, s string, required bool) {
	switch {
	case d.failed[path]:
	case s == "" && (required || d.given[path]):
		d.problem(path, "missing")
	case len(s) > maxTextLength:
		d.problem(path, "longer than %d bytes", maxTextLength)
	}
}

// validateImage checks an image URL: an absolute http(s) URL or a path from
// the site's root, which means the same on every page of the store.
func (d *draft) validateImage(path, image string) {
	d.validateText(path, image, false)
	if image == "" || d.failed[path] {
		return
	}
	if !strings.HasPrefix(image, "https://") && !strings.HasPrefix(image, "http://") && !strings.HasPrefix(image, "/") {
		d.problem(path, "%s is neither an http(s) URL nor a path starting with \"/\"", strconv.Quote(shorten(image, 40)))
	}
}

// validateCurrency checks an ISO 4217 code and reports whether it is one.
func (d *draft) validateCurrency(path, code string) bool {
	switch {
	case d.failed[path]:
		return false
	case code == "":
		d.problem(path, "missing")
		return false
	}
	if _, ok := CurrencyDigits(code); ok {
		return true
	}
	if upper := strings.ToUpper(code); upper != code {
		if _, ok := CurrencyDigits(upper); ok {
			d.problem(path, "%s is not an ISO 4217 code (codes are upper case: %q)", strconv.Quote(code), upper)
			return false
		}
	}
	d.problem(path, "%s is not an ISO 4217 currency code", strconv.Quote(shorten(code, 16)))
	return false
}

func (d *draft) validateTrigger() {
	t := d.offer.Trigger
	d.validateNames("trigger.product_ids", t.ProductIDs)
	d.validateNames("trigger.tags", t.Tags)
	d.validateNames("trigger.customer_tags", t.CustomerTags)
	d.validateNames("trigger.statuses", t.Statuses)
	if !d.failed["trigger.currencies"] {
		allKnown := true
		for i, code := range t.Currencies {
			allKnown = d.validateCurrency("trigger.currencies["+strconv.Itoa(i)+"]", code) && allKnown
		}
		product := d.offer.Product.Currency
		if _, ok := CurrencyDigits(product); ok && allKnown && len(t.Currencies) > 0 && !slices.Contains(t.Currencies, product) {
			d.problem("trigger.currencies", "does not include the product's currency %s, so the offer could never be shown", product)
		}
	}
	minOK := d.ok("trigger.min_subtotal")
	if minOK && t.MinSubtotal < 0 {
		d.problem("trigger.min_subtotal", "%d is negative", t.MinSubtotal)
		minOK = false
	}
	if d.ok("trigger.max_subtotal") {
		switch {
		case t.MaxSubtotal <= 0:
			d.problem("trigger.max_subtotal", "%d is not above zero (leave it out for no upper bound)", t.MaxSubtotal)
		case minOK && t.MaxSubtotal < t.MinSubtotal:
			d.problem("trigger.max_subtotal", "%d is below min_subtotal %d", t.MaxSubtotal, t.MinSubtotal)
		}
	}
}

// validateNames checks a list of ids or tags: no empty or overlong entry.
func (d *draft) validateNames(path string, names []string) {
	if d.failed[path] {
		return
	}
	for i, name := range names {
		d.validateText(path+"["+strconv.Itoa(i)+"]", name, true)
	}
}

// validateDiscount checks a discount against the product it applies to.
func (d *draft) validateDiscount(path string, disc Discount, pr Product, priceOK bool) {
	percentPath, amountPath := path+".percent", path+".amount"
	hasPercent, hasAmount := d.given[percentPath], d.given[amountPath]
	switch {
	case !hasPercent && !hasAmount:
		d.problem(path, "set percent or amount")
		return
	case hasPercent && hasAmount:
		d.problem(path, "set percent or amount, not both")
		return
	}
	if d.ok(percentPath) {
		switch {
		case disc.Percent < 0:
			d.problem(percentPath, "%d is negative", disc.Percent)
		case disc.Percent > 100:
			d.problem(percentPath, "%d is over 100", disc.Percent)
		}
	}
	if d.ok(amountPath) {
		switch {
		case disc.Amount < 0:
			d.problem(amountPath, "%d is negative", disc.Amount)
		case priceOK && disc.Amount > pr.UnitPrice:
			d.problem(amountPath, "%d is more than the unit price %d (%s): the price would be negative",
				disc.Amount, pr.UnitPrice, pr.Price())
		}
	}
}

func (d *draft) validateQuantity() {
	o := d.offer
	if !d.given["quantity"] {
		o.Quantity = 1
		return
	}
	if !d.ok("quantity") {
		return
	}
	switch {
	case o.Quantity < 1:
		d.problem("quantity", "%d is below 1", o.Quantity)
	case o.Quantity > maxQuantity:
		d.problem("quantity", "%d is over %d", o.Quantity, maxQuantity)
	}
}

func (d *draft) validateSchedule() {
	o := d.offer
	if d.ok("starts_at") && d.ok("ends_at") && !o.StartsAt.Before(o.EndsAt) {
		d.problem("starts_at", "%s is not before ends_at %s",
			o.StartsAt.Format(time.RFC3339), o.EndsAt.Format(time.RFC3339))
	}
	if !d.given["expires_after"] {
		o.ExpiresAfter = DefaultExpiresAfter
		return
	}
	if !d.ok("expires_after") {
		return
	}
	switch {
	case o.ExpiresAfter <= 0:
		d.problem("expires_after", "%s is not above zero", o.ExpiresAfter)
	case o.ExpiresAfter > maxExpiresAfter:
		d.problem("expires_after", "%s is over %s", o.ExpiresAfter, maxExpiresAfter)
	}
}

func (d *draft) validateVariants(priceOK bool) {
	o := d.offer
	if !d.ok("variants") {
		return
	}
	if len(o.Variants) == 0 {
		d.problem("variants", "empty (leave it out for no A/B test)")
		return
	}
	sum, weightsOK := 0, true
	for i, v := range o.Variants {
		path := "variants[" + strconv.Itoa(i) + "]"
		if d.failed[path] {
			weightsOK = false
			continue
		}
		d.validateID(path+".id", v.ID)
		for _, earlier := range o.Variants[:i] {
			if v.ID != "" && earlier.ID == v.ID {
				d.problem(path+".id", "%s is used by another variant", strconv.Quote(v.ID))
				break
			}
		}
		wpath := path + ".weight"
		switch {
		case !d.required(wpath, ""):
			weightsOK = false
		case v.Weight < 0:
			d.problem(wpath, "%d is negative", v.Weight)
			weightsOK = false
		case v.Weight > totalWeight:
			d.problem(wpath, "%d is over %d", v.Weight, totalWeight)
			weightsOK = false
		default:
			sum += v.Weight
		}
		if d.given[path+".title"] {
			d.validateText(path+".title", v.Title, true)
		}
		d.validateImage(path+".image", v.Image)
		if v.Discount != nil && d.ok(path+".discount") {
			d.validateDiscount(path+".discount", *v.Discount, o.Product, priceOK)
		}
	}
	if weightsOK && sum != totalWeight {
		d.problem("variants", "weights add up to %d, want %d", sum, totalWeight)
	}
}

// validateMaxQuantity checks the top of the quantity picker's range.
func (d *draft) validateMaxQuantity() {
	o := d.offer
	if !d.ok("max_quantity") || !d.ok("quantity") && d.given["quantity"] {
		return
	}
	switch {
	case o.MaxQuantity < o.Quantity:
		d.problem("max_quantity", "%d is below quantity %d", o.MaxQuantity, o.Quantity)
	case o.MaxQuantity-o.Quantity >= maxQuantityRange:
		d.problem("max_quantity", "%d offers more than %d choices from quantity %d", o.MaxQuantity, maxQuantityRange, o.Quantity)
	}
}

// validateShipping checks the shipping an offer charges: an amount like a
// price, and only after purchase, where Kairo charges it; before purchase
// the store's checkout charges shipping for what is in the cart.
func (d *draft) validateShipping() {
	o := d.offer
	if !d.ok("shipping") {
		return
	}
	switch {
	case o.Shipping < 0:
		d.problem("shipping", "%d is negative", o.Shipping)
	case o.Shipping > maxUnitPrice:
		d.problem("shipping", "%d is over the limit of %d", o.Shipping, int64(maxUnitPrice))
	case o.Shipping > 0 && slices.ContainsFunc(o.Placements, func(p Placement) bool { return p != PlacementThankYou }):
		d.problem("shipping", `only post-purchase offers (placement "thank_you" alone) charge shipping; before purchase the store's checkout does`)
	}
}

// validateWording checks an offer's own texts: known keys (WithTextKeys),
// values of a sane length.
func (d *draft) validateWording() {
	o := d.offer
	if !d.ok("text") {
		return
	}
	for _, key := range slices.Sorted(maps.Keys(o.Text)) {
		path := "text." + key
		switch known := d.options.textKeys; {
		case d.failed[path]:
		case known != nil && fieldNamed(known, key) < 0:
			d.problem("text", "unknown key %s%s", strconv.Quote(key), suggestion(key, known))
		case len(o.Text[key]) > maxTextLength:
			d.problem(path, "longer than %d bytes", maxTextLength)
		}
	}
}

// validateCap checks the frequency cap and fills in its default period.
func (d *draft) validateCap() {
	c := &d.offer.Cap
	if d.ok("max_per_customer") && c.MaxPerCustomer < 1 {
		d.problem("max_per_customer", "%d is below 1 (leave it out for no cap)", c.MaxPerCustomer)
	}
	if !d.given["cap_period"] {
		if c.MaxPerCustomer > 0 {
			c.Period = DefaultCapPeriod
		}
		return
	}
	if !d.ok("cap_period") {
		return
	}
	switch {
	case !d.given["max_per_customer"]:
		d.problem("cap_period", "set max_per_customer too, or leave cap_period out")
	case c.Period <= 0:
		d.problem("cap_period", "%s is not above zero", c.Period)
	case c.Period > maxCapPeriod:
		d.problem("cap_period", "%s is over %s", c.Period, maxCapPeriod)
	}
}

// validateOptions checks the variant picker's choices: each names a store
// variant and a label, no variant twice, a variant_id among them.
func (d *draft) validateOptions() {
	pr := d.offer.Product
	if d.failed["product.options"] {
		return
	}
	if d.given["product.options"] && len(pr.Options) < 2 {
		d.problem("product.options", "give two options or more (leave it out for no choice)")
		return
	}
	if len(pr.Options) > maxOptions {
		d.problem("product.options", "%d options, at most %d", len(pr.Options), maxOptions)
	}
	for i, o := range pr.Options {
		path := "product.options[" + strconv.Itoa(i) + "]"
		d.validateText(path+".variant_id", o.VariantID, true)
		d.validateText(path+".label", o.Label, true)
		for _, earlier := range pr.Options[:i] {
			if o.VariantID != "" && earlier.VariantID == o.VariantID {
				d.problem(path+".variant_id", "%s is listed twice", strconv.Quote(o.VariantID))
				break
			}
		}
	}
	if _, ok := pr.Option(pr.VariantID); len(pr.Options) > 0 && pr.VariantID != "" && !ok {
		d.problem("product.variant_id", "%s is not one of the options", strconv.Quote(pr.VariantID))
	}
	if d.given["product.option_label"] {
		d.validateText("product.option_label", pr.OptionLabel, true)
	}
}

// checkAcrossOffers checks what involves more than one offer: unique ids,
// and downsells (on_decline) and next steps (on_accept) that exist, differ
// from the offer, share its currency and a placement; declines never lead
// back to the offer.
func checkAcrossOffers(drafts []*draft) {
	first := make(map[string]int, len(drafts))
	for i, d := range drafts {
		id := d.offer.ID
		if id == "" || d.failed["id"] {
			continue
		}
		if j, seen := first[id]; seen {
			d.problem("id", "%s is also the id of offers[%d]", strconv.Quote(id), j)
			continue
		}
		first[id] = i
	}
	// next[i] is the index of offer i's downsell, or -1; then[i] of the
	// offer that follows its accept.
	next, then := make([]int, len(drafts)), make([]int, len(drafts))
	for i, d := range drafts {
		next[i], then[i] = -1, -1
		if j, ok := d.checkFollower("on_decline", d.offer.OnDecline, drafts, first); ok {
			next[i] = j
		}
		if j, ok := d.checkFollower("on_accept", d.offer.OnAccept, drafts, first); ok {
			then[i] = j
		}
	}
	for _, i := range unreachableFollowers(next, then) {
		drafts[i].problem("id", "this offer is only ever a next step (another offer's on_accept or on_decline names it), and no chain of them starts at an offer shown on its own: it would never be shown")
	}
	for _, cycle := range downsellCycles(next) {
		names := make([]string, 0, len(cycle)+1)
		for _, i := range cycle {
			names = append(names, drafts[i].offer.ID)
		}
		names = append(names, names[0])
		drafts[cycle[0]].problem("on_decline", "declining leads back to this offer (%s)", strings.Join(names, " → "))
	}
}

// checkFollower checks an offer that this one leads to (field on_decline or
// on_accept): it exists, is another offer, shares the currency and a
// placement. It returns the follower's index when it exists.
func (d *draft) checkFollower(field, id string, drafts []*draft, first map[string]int) (int, bool) {
	o := d.offer
	if !d.ok(field) || id == "" {
		return -1, false
	}
	j, found := first[id]
	switch {
	case !found:
		d.problem(field, "no offer %s in the catalog", strconv.Quote(id))
		return -1, false
	case id == o.ID:
		d.problem(field, "names the offer itself")
		return -1, false
	}
	target := drafts[j].offer
	if target.Product.Currency != o.Product.Currency {
		d.problem(field, "offer %s is in %s, this offer in %s", strconv.Quote(target.ID), target.Product.Currency, o.Product.Currency)
	}
	if !slices.ContainsFunc(o.Placements, target.hasPlacement) {
		d.problem(field, "offer %s shares no placement with this offer", strconv.Quote(target.ID))
	}
	return j, true
}

// downsellCycles finds the cycles of the downsell graph, where next[i] is
// the one offer that offer i leads to (or -1). Each cycle is listed once,
// starting from its lowest index. It runs in linear time.
// unreachableFollowers returns the offers that some offer leads to (next
// on a decline, then on an accept), which are therefore shown only as a
// next step, but that no chain of such steps reaches from an offer shown
// on its own: a loop of them (a → b → a, by accepts, declines or both)
// with no way in.
func unreachableFollowers(next, then []int) []int {
	follower := make([]bool, len(next))
	for i := range next {
		for _, j := range [2]int{next[i], then[i]} {
			if j >= 0 {
				follower[j] = true
			}
		}
	}
	reached := make([]bool, len(next))
	var stack []int
	for i := range next {
		if !follower[i] {
			reached[i] = true
			stack = append(stack, i)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, j := range [2]int{next[i], then[i]} {
			if j >= 0 && !reached[j] {
				reached[j] = true
				stack = append(stack, j)
			}
		}
	}
	var out []int
	for i, ok := range reached {
		if !ok {
			out = append(out, i)
		}
	}
	return out
}

func downsellCycles(next []int) [][]int {
	const (
		unvisited = iota
		onPath
		done
	)
	state := make([]int, len(next))
	var cycles [][]int
	for start := range next {
		var path []int
		i := start
		for i >= 0 && state[i] == unvisited {
			state[i] = onPath
			path = append(path, i)
			i = next[i]
		}
		if i >= 0 && state[i] == onPath {
			at := slices.Index(path, i)
			cycle := slices.Clone(path[at:])
			lowest := slices.Index(cycle, slices.Min(cycle))
			cycles = append(cycles, append(cycle[lowest:], cycle[:lowest]...))
		}
		for _, j := range path {
			state[j] = done
		}
	}
	return cycles
}
