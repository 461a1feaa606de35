package offers

import (
	"fmt"
	"strconv"
	"strings"
)

// Arm is the side of the held-back control group a customer is on.
type Arm string

// The two arms. Treated customers see offers; held-out customers never do,
// and their orders are the baseline that incremental revenue is measured
// against.
const (
	ArmTreated Arm = "treated"
	ArmHoldout Arm = "holdout"
)

// Arms lists the arms in the order reports show them.
var Arms = []Arm{ArmTreated, ArmHoldout}

// holdoutSeed starts the hash that assigns arms, so that the holdout does
// not correlate with A/B assignment or any other use of the same hash.
const holdoutSeed uint64 = fnvOffset ^ 0x401d

// BasisPoints is a share in hundredths of a percent: 1000 is 10%.
type BasisPoints int

// ParseHoldout reads a holdout share such as "10%" or "2.5%" (at most two
// decimals, 0% to 50%): more than half held out would leave the offers
// themselves the minority.
func ParseHoldout(s string) (BasisPoints, error) {
	num, ok := strings.CutSuffix(strings.TrimSpace(s), "%")
	if !ok {
		return 0, fmt.Errorf("holdout %q: want a percentage such as 10%%", s)
	}
	whole, frac, _ := strings.Cut(num, ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("holdout %q: at most two decimals", s)
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err1 := strconv.Atoi(whole)
	f, err2 := strconv.Atoi(frac)
	if err1 != nil || err2 != nil || w < 0 || f < 0 || strings.ContainsAny(num, "+-") {
		return 0, fmt.Errorf("holdout %q: want a percentage such as 10%%", s)
	}
	bp := BasisPoints(w*100 + f)
	if bp > 5000 {
		return 0, fmt.Errorf("holdout %q: over 50%%", s)
	}
	return bp, nil
}

// String writes the share as ParseHoldout reads it.
func (b BasisPoints) String() string {
	if b%100 == 0 {
		return strconv.Itoa(int(b)/100) + "%"
	}
	return strconv.FormatFloat(float64(b)/100, 'f', -1, 64) + "%"
}

// HoldoutIdentity is who a cart or order belongs to for the holdout: the
// store's customer id when it sends one, so a customer keeps their arm from
// cart to order and across orders; else the cart or order id.
func HoldoutIdentity(sc *Context) string {
	if sc.Customer != nil && sc.Customer.ID != "" {
		return "customer:" + sc.Customer.ID
	}
	return "context:" + sc.ID
}

// ArmOf returns the arm of the customer known by identity, for a holdout
// of share: a stable hash, so the same customer is on the same side in
// every process and every release, and a large crowd splits by the share.
func ArmOf(share BasisPoints, identity string) Arm {
	if share <= 0 {
		return ArmTreated
	}
	if mix64(hashString(holdoutSeed, identity))%10000 < uint64(share) {
		return ArmHoldout
	}
	return ArmTreated
}
