package demostore

import "net/http"

// cartIDFromCookie returns the cart id in the demo_cart cookie, if it has
// a plausible one.
func cartIDFromCookie(r *http.Request) (string, bool) {
	c, err := r.Cookie(CartCookie)
	if err != nil || !validID(c.Value) {
		return "", false
	}
	return c.Value, true
}

// cartIDOrNew returns the request's cart id, or starts a new cart and sets
// its cookie on the response.
func (s *Store) cartIDOrNew(w http.ResponseWriter, r *http.Request) string {
	if id, ok := cartIDFromCookie(r); ok {
		return id
	}
	id := newID("cart_")
	http.SetCookie(w, &http.Cookie{
		Name:     CartCookie,
		Value:    id,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
	return id
}
