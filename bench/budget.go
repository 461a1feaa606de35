package main

import "time"

// caddyStartup is about how long starting and stopping one Caddy takes.
const caddyStartup = 400 * time.Millisecond

// cellCost is about how long one loaded run of one configuration takes.
func (o options) cellCost(light bool) time.Duration {
	d := caddyStartup + o.Warmup + o.Duration.Round(time.Second)
	if light {
		d += o.Light
	}
	return d
}

// groupCost is about how long one round at one size takes: every
// configuration, and A again to close it (groupConfigs).
func (o options) groupCost() time.Duration {
	return time.Duration(len(groupConfigs())) * o.cellCost(true)
}

// streamCost is about how long the 10 MB check takes.
func (o options) streamCost() time.Duration {
	return 2*o.cellCost(false) + 2*caddyStartup + time.Duration(2*(o.TTFBSamples+2))*30*time.Millisecond
}

// profileCost is about how long profiling every configuration at both
// sizes takes.
func (o options) profileCost() time.Duration {
	if o.Profile == "never" {
		return 0
	}
	one := caddyStartup + o.Warmup + time.Duration(o.ProfileSecs+2)*time.Second
	return time.Duration(2*len(kairoConfigs)*o.profileRounds()) * one
}

// profileRounds is how many profiles of every configuration are taken:
// ProfileRounds, at least one.
func (o options) profileRounds() int { return max(o.ProfileRounds, 1) }

// estimate is how long the run takes without re-runs, build excluded.
func (o options) estimate(sizes int) time.Duration {
	return time.Duration(o.Rounds*sizes)*o.groupCost() + o.streamCost() + o.profileCost()
}
