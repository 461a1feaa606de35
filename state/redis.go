package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisKeyPrefix namespaces Kairo's keys in a shared Redis database.
const redisKeyPrefix = "kairo:"

// Redis is the Store for a fleet: every Caddy instance that names the same
// Redis database shares its records, so a claim taken on one instance is
// seen by all. Claims and conditional writes are single Redis commands or
// Lua scripts, atomic on the server. Every key is written with an expiry
// (PX). The memory cap is Redis's own: maxmemory with the noeviction
// policy, so that a full Redis refuses writes (accepts fail closed) rather
// than evicting a claim in flight or a finished accept, which no eviction
// policy tells apart from an analytics counter (volatile-ttl would evict
// the claims first: they live the shortest).
type Redis struct {
	client *redis.Client
	url    string

	addMu   sync.Mutex
	pending *addChunk // a chunk of counters sent whose answer was lost (AddAll)
}

// saturatingIncrLua defines saturatingIncr(key, delta) for the scripts
// that add to counters: INCRBY, except that a sum past an int64 stays at
// its bound (as the file and memory stores' counters do, addCounter),
// where INCRBY would fail the script after the counters before it were
// added (a script does not roll back). Lua's numbers are doubles: the
// bound is checked with room to spare for their rounding.
const saturatingIncrLua = `
local function saturatingIncr(key, delta)
	local after = tonumber(redis.call('GET', key) or '0') + tonumber(delta)
	if after > 9.2e18 then
		redis.call('SET', key, '9223372036854775807', 'KEEPTTL')
		return 9223372036854775807
	elseif after < -9.2e18 then
		redis.call('SET', key, '-9223372036854775808', 'KEEPTTL')
		return -9223372036854775808
	end
	return redis.call('INCRBY', key, delta)
end
`

// Lua scripts: each runs atomically on the Redis server.
var (
	// The conditional writes below mark a write they made with the call's
	// own marker key (KEYS[2], kept callMarkerTTL): go-redis sends a script
	// again when its answer was lost, and the second run would otherwise
	// find the write done and answer that it did nothing (a caller that
	// then tries again applies its change twice: revenue counted twice, a
	// step taken twice). A run that finds its marker answers as the first
	// did.
	//
	// setNX stores ARGV[1] for ARGV[2] ms if KEYS[1] is absent, and returns
	// {stored, current value}.
	scriptSetNX = redis.NewScript(`
if redis.call('GET', KEYS[2]) then return {1, ARGV[1]} end
local cur = redis.call('GET', KEYS[1])
if cur then return {0, cur} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], 1, 'PX', ARGV[3])
return {1, ARGV[1]}`)
	// compareAndSet replaces ARGV[1] by ARGV[2] for ARGV[3] ms.
	scriptCompareAndSet = redis.NewScript(`
if redis.call('GET', KEYS[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
	redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
	redis.call('SET', KEYS[2], 1, 'PX', ARGV[4])
	return 1
end
return 0`)
	// deleteIf deletes KEYS[1] if it holds ARGV[1].
	scriptDeleteIf = redis.NewScript(`
if redis.call('GET', KEYS[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
	redis.call('DEL', KEYS[1])
	redis.call('SET', KEYS[2], 1, 'PX', ARGV[2])
	return 1
end
return 0`)
	// incr adds ARGV[1] to KEYS[1] and keeps it at least ARGV[2] ms.
	// KEYS[2] is the call's marker, kept ARGV[3] ms with the count the
	// call made: a call whose marker is there was applied before (its
	// answer was lost and it is sent again) and answers that count
	// without adding twice.
	scriptIncr = redis.NewScript(saturatingIncrLua + `
local done = redis.call('GET', KEYS[2])
if done then
	return tonumber(done)
end
local n = saturatingIncr(KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
redis.call('SET', KEYS[2], n, 'PX', ARGV[3])
return n`)
	// addAll adds ARGV[i] to KEYS[i] and keeps each key at least
	// ARGV[n+1] ms, n being #KEYS-1: it checks every key first, so that a
	// key that is not a counter leaves all of them unchanged. KEYS[#KEYS]
	// is the chunk's marker, kept ARGV[n+2] ms: a chunk whose marker is
	// there was added before (its answer was lost and it is sent again),
	// and is not added twice (it is looked at first: the counters already
	// hold that chunk). It returns how many counters it added.
	scriptAddAll = redis.NewScript(saturatingIncrLua + `
local n = #KEYS - 1
local ttl = tonumber(ARGV[n + 1])
if redis.call('EXISTS', KEYS[#KEYS]) == 1 then
	return 0
end
for i = 1, n do
	local v = redis.call('GET', KEYS[i])
	if v and not string.match(v, '^-?%d+$') then
		return redis.error_reply('not a counter: ' .. KEYS[i])
	end
end
redis.call('SET', KEYS[#KEYS], 1, 'PX', ARGV[n + 2])
for i = 1, n do
	saturatingIncr(KEYS[i], ARGV[i])
	if redis.call('PTTL', KEYS[i]) < ttl then
		redis.call('PEXPIRE', KEYS[i], ttl)
	end
end
return n`)
	// setNXAll stores ARGV[1] for ARGV[2] ms under each absent key of
	// KEYS but the last, and answers one '1' for each it stored, '0' for
	// the others. KEYS[#KEYS] is the call's marker, which keeps that answer
	// ARGV[3] ms: the script sent again after its answer was lost answers
	// the same, rather than '0' for the keys it stored the first time.
	scriptSetNXAll = redis.NewScript(`
local done = redis.call('GET', KEYS[#KEYS])
if done then return done end
local out = {}
for i = 1, #KEYS - 1 do
	if redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', ARGV[2]) then out[i] = '1' else out[i] = '0' end
end
local answer = table.concat(out)
redis.call('SET', KEYS[#KEYS], answer, 'PX', ARGV[3])
return answer`)
)

// OpenRedis connects to the Redis database named by a redis:// or
// rediss:// URL (redis://[user:password@]host:port/db). It does not wait
// for the server: a Redis that is down now makes operations fail (pages
// pass through, accepts are refused) until it is back.
func OpenRedis(rawURL string) (*Redis, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("state: redis URL: %w", err)
	}
	// Short timeouts: a page waits on declines, an accept on its claim.
	opts.DialTimeout = time.Second
	opts.ReadTimeout = 500 * time.Millisecond
	opts.WriteTimeout = 500 * time.Millisecond
	opts.MaxRetries = 1
	return &Redis{client: redis.NewClient(opts), url: redactedURL(opts)}, nil
}

// redactedURL names the server in messages, without credentials.
func redactedURL(o *redis.Options) string {
	return fmt.Sprintf("redis://%s/%d", o.Addr, o.DB)
}

// String names the server, without credentials.
func (r *Redis) String() string { return r.url }

// wrap marks a Redis failure as the store being unavailable.
func (r *Redis) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %s: %v", ErrUnavailable, r.url, err)
}

// Ping checks that the server answers.
func (r *Redis) Ping(ctx context.Context) error { return r.wrap(r.client.Ping(ctx).Err()) }

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.client.Get(ctx, redisKeyPrefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, r.wrap(err)
	}
	return v, true, nil
}

// ExistAll implements BatchReader: one MGET per batchChunk keys (atomic on
// the server), so a page's few keys are one round trip.
func (r *Redis) ExistAll(ctx context.Context, keys []string) ([]bool, error) {
	found := make([]bool, 0, len(keys))
	prefixed := make([]string, 0, min(len(keys), batchChunk))
	for chunk := range slices.Chunk(keys, batchChunk) {
		prefixed = prefixed[:0]
		for _, k := range chunk {
			prefixed = append(prefixed, redisKeyPrefix+k)
		}
		vals, err := r.client.MGet(ctx, prefixed...).Result()
		if err == nil && len(vals) != len(chunk) {
			err = fmt.Errorf("unexpected answer %v", vals)
		}
		if err != nil {
			return nil, r.wrap(err)
		}
		for _, v := range vals {
			found = append(found, v != nil)
		}
	}
	return found, nil
}

// Set implements Store.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return errNoTTL
	}
	return r.wrap(r.client.Set(ctx, redisKeyPrefix+key, value, ttl).Err())
}

// SetNX implements Store.
func (r *Redis) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) ([]byte, bool, error) {
	if ttl <= 0 {
		return nil, false, errNoTTL
	}
	keys := []string{redisKeyPrefix + key, newMarker("setnx/")}
	res, err := scriptSetNX.Run(ctx, r.client, keys, value, ms(ttl), ms(callMarkerTTL)).Slice()
	if err != nil {
		return nil, false, r.wrap(err)
	}
	if len(res) != 2 {
		return nil, false, r.wrap(fmt.Errorf("unexpected answer %v", res))
	}
	stored, _ := res[0].(int64)
	cur, _ := res[1].(string)
	return []byte(cur), stored == 1, nil
}

// CompareAndSet implements Store.
func (r *Redis) CompareAndSet(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, errNoTTL
	}
	keys := []string{redisKeyPrefix + key, newMarker("cas/")}
	n, err := scriptCompareAndSet.Run(ctx, r.client, keys, old, value, ms(ttl), ms(callMarkerTTL)).Int()
	return n == 1 && err == nil, r.wrap(err)
}

// DeleteIf implements Store.
func (r *Redis) DeleteIf(ctx context.Context, key string, old []byte) (bool, error) {
	keys := []string{redisKeyPrefix + key, newMarker("del/")}
	n, err := scriptDeleteIf.Run(ctx, r.client, keys, old, ms(callMarkerTTL)).Int()
	return n == 1 && err == nil, r.wrap(err)
}

// Incr implements Store.
func (r *Redis) Incr(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	if ttl <= 0 {
		return 0, errNoTTL
	}
	keys := []string{redisKeyPrefix + key, newMarker("incr/")}
	n, err := scriptIncr.Run(ctx, r.client, keys, delta, ms(ttl), ms(callMarkerTTL)).Int64()
	if err != nil {
		return 0, r.wrap(err)
	}
	return n, nil
}

// callMarkerTTL is how long the server keeps a call's marker (Incr and
// the conditional writes): longer than go-redis takes to send the same
// call again after its answer was lost (at once, within the call's
// context).
const callMarkerTTL = time.Minute

// AddAll implements Batcher: one script per batchChunk counters, each
// atomic on the server and applied once. A chunk whose answer was lost (a
// timeout, a broken connection: the server may or may not have added it)
// is not put back into deltas, where the next try would add it again
// under another grouping: the Redis keeps it and sends it again, marker
// and all, before anything else on the next call, and the marker makes
// the server add it once. go-redis's own retry of a script resends the
// same chunk, so it is covered the same way.
func (r *Redis) AddAll(ctx context.Context, deltas map[string]int64, ttl time.Duration) error {
	if ttl <= 0 {
		return errNoTTL
	}
	r.addMu.Lock()
	defer r.addMu.Unlock()
	if r.pending != nil {
		if err := r.sendChunk(ctx, r.pending, deltas); err != nil {
			return err
		}
	}
	var c *addChunk
	for key, delta := range deltas {
		if c == nil {
			c = newAddChunk(ttl)
		}
		c.add(key, delta)
		if len(c.keys) == batchChunk {
			if err := r.sendChunk(ctx, c, deltas); err != nil {
				return err
			}
			c = nil
		}
	}
	if c == nil {
		return nil
	}
	return r.sendChunk(ctx, c, deltas)
}

// markerTTL is how long the server keeps a batch script's marker:
// longer than a chunk whose answer was lost waits to be sent again (the
// next flush, unless the server stays out of reach for that long).
const markerTTL = time.Hour

// addChunk is one addAll script's counters, deltas and marker.
type addChunk struct {
	keys   []string // the counters, as AddAll named them
	deltas []int64
	ttl    time.Duration
	marker string // prefixed key, unique to the chunk
}

func newAddChunk(ttl time.Duration) *addChunk {
	return &addChunk{ttl: ttl, marker: newMarker("added/")}
}

// newMarker is a key of its own for one script call (an Incr, a batch
// chunk), under kind.
func newMarker(kind string) string {
	var id [16]byte
	_, _ = rand.Read(id[:]) // never fails (crypto/rand)
	return redisKeyPrefix + kind + hex.EncodeToString(id[:])
}

func (c *addChunk) add(key string, delta int64) {
	c.keys = append(c.keys, key)
	c.deltas = append(c.deltas, delta)
}

// sendChunk runs c's script. A chunk made from deltas takes its counters
// out of deltas once it is added, and also when its answer is lost: it is
// then kept as r.pending, which is sent again as it is (deltas may have
// counted more on the same keys meanwhile, and keeps that). A refusal by
// the server (a key that is not a counter) added nothing: the counters
// stay in deltas, or go back there from r.pending.
func (r *Redis) sendChunk(ctx context.Context, c *addChunk, deltas map[string]int64) error {
	keys := make([]string, 0, len(c.keys)+1)
	for _, key := range c.keys {
		keys = append(keys, redisKeyPrefix+key)
	}
	keys = append(keys, c.marker)
	args := make([]any, 0, len(c.deltas)+2)
	for _, d := range c.deltas {
		args = append(args, d)
	}
	args = append(args, ms(c.ttl), ms(markerTTL))
	err := scriptAddAll.Run(ctx, r.client, keys, args...).Err()
	wasPending := r.pending == c
	var refused redis.Error
	switch {
	case errors.As(err, &refused):
		if wasPending {
			r.pending = nil
			for i, key := range c.keys {
				deltas[key] += c.deltas[i]
			}
		}
		return r.wrap(err)
	case err != nil:
		r.pending = c
	case wasPending:
		r.pending = nil
	}
	if !wasPending {
		for _, key := range c.keys {
			delete(deltas, key)
		}
	}
	return r.wrap(err)
}

// SetNXAll implements Batcher: one script per batchChunk keys. A script
// sent again after its answer was lost (go-redis's retry) answers what it
// did the first time.
func (r *Redis) SetNXAll(ctx context.Context, keys []string, value []byte, ttl time.Duration) ([]bool, error) {
	if ttl <= 0 {
		return nil, errNoTTL
	}
	stored := make([]bool, 0, len(keys))
	for chunk := range slices.Chunk(keys, batchChunk) {
		prefixed := make([]string, len(chunk), len(chunk)+1)
		for i, k := range chunk {
			prefixed[i] = redisKeyPrefix + k
		}
		prefixed = append(prefixed, newMarker("stored/"))
		res, err := scriptSetNXAll.Run(ctx, r.client, prefixed, value, ms(ttl), ms(markerTTL)).Text()
		if err == nil && len(res) != len(chunk) {
			err = fmt.Errorf("unexpected answer %q", res)
		}
		if err != nil {
			return stored, r.wrap(err)
		}
		for i := range len(res) {
			stored = append(stored, res[i] == '1')
		}
	}
	return stored, nil
}

// Close implements Store.
func (r *Redis) Close() error { return r.client.Close() }

// ms is a duration in whole milliseconds, at least 1.
func ms(d time.Duration) int64 { return max(d.Milliseconds(), 1) }

var (
	_ Store       = (*Redis)(nil)
	_ Batcher     = (*Redis)(nil)
	_ BatchReader = (*Redis)(nil)
)
