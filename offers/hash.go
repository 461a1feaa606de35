package offers

// Stable 64-bit hashing for fingerprints and A/B assignment. The values must
// not change between processes or releases: fingerprints key shared caches
// and assignments decide which variant a customer keeps seeing. So this is
// FNV-1a with a fixed seed and a splitmix64 finish, not hash/maphash, whose
// seed is random per process.

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashString continues an FNV-1a hash h with the bytes of s and a 0xff
// terminator, so that ("ab", "c") and ("a", "bc") hash apart.
func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	h ^= 0xff
	h *= fnvPrime
	return h
}

// hashFolded is hashString over s with ASCII letters lower-cased, for tags
// and statuses, which match regardless of case.
func hashFolded(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint64(c)
		h *= fnvPrime
	}
	h ^= 0xff
	h *= fnvPrime
	return h
}

// hashUint64 continues an FNV-1a hash h with the eight bytes of v.
func hashUint64(h, v uint64) uint64 {
	for range 8 {
		h ^= v & 0xff
		h *= fnvPrime
		v >>= 8
	}
	return h
}

// mix64 is the splitmix64 finaliser: it spreads every input bit over the
// whole result, which FNV alone does poorly in the high bits.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// productHash is a quick hash of a product id, to compare product ids
// without comparing strings in the common case where they differ.
func productHash(id string) uint64 {
	return hashString(fnvOffset, id)
}
