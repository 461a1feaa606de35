package offers

import "maps"

// Withhold returns a catalog that never shows the offers withhold picks
// out, and their ids in catalog order: Select leaves them out, Next passes
// over them as over a hidden offer (on to their own followers), and a
// decline on the inline box does not lead to them. Everything else is c's:
// Offer still finds them (a report names them), and an offer reached only
// through a withheld one stays a follower, unreached. It is how a store
// that cannot take some offers keeps them from its buyers, decided once
// per catalog.
func (c *Catalog) Withhold(withhold func(*Offer) bool) (*Catalog, []string) {
	var ids []string
	withheld := maps.Clone(c.withheld)
	for _, o := range c.offers {
		if !c.withheld[o.ID] && withhold(o) {
			if withheld == nil {
				withheld = make(map[string]bool)
			}
			withheld[o.ID] = true
			ids = append(ids, o.ID)
		}
	}
	if ids == nil {
		return c, nil
	}
	w := *c
	w.withheld = withheld
	return &w, ids
}
