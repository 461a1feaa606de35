#include "textflag.h"

// func markBlocksAVX2(p *byte, blocks int, out *blockMarks)
//
// For each of the blocks 64-byte blocks at p, writes a blockMarks to out:
// six words whose bit k is set when byte k of the block is, in order,
// '<'; '>'; a quote ('"' or '\x27'); '"'; '='; a byte below 0x21, '/' or a
// quote. Each half block is compared with the wanted bytes as 32 lanes,
// and VPMOVMSKB packs the lanes' results into 32 bits. blocks > 0.
TEXT ·markBlocksAVX2(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ out+16(FP), DI

	MOVQ $0x3c, AX
	MOVQ AX, X0
	VPBROADCASTB X0, Y0 // '<'
	MOVQ $0x3e, AX
	MOVQ AX, X1
	VPBROADCASTB X1, Y1 // '>'
	MOVQ $0x22, AX
	MOVQ AX, X2
	VPBROADCASTB X2, Y2 // '"'
	MOVQ $0x27, AX
	MOVQ AX, X3
	VPBROADCASTB X3, Y3 // '\x27'
	MOVQ $0x3d, AX
	MOVQ AX, X4
	VPBROADCASTB X4, Y4 // '='
	MOVQ $0x2f, AX
	MOVQ AX, X5
	VPBROADCASTB X5, Y5 // '/'
	MOVQ $0x20, AX
	MOVQ AX, X6
	VPBROADCASTB X6, Y6 // 0x20

loop:
	VMOVDQU (SI), Y8
	VMOVDQU 32(SI), Y9

	// '<'
	VPCMPEQB Y8, Y0, Y10
	VPCMPEQB Y9, Y0, Y11
	VPMOVMSKB Y10, AX
	VPMOVMSKB Y11, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVQ AX, 0(DI)

	// '>'
	VPCMPEQB Y8, Y1, Y10
	VPCMPEQB Y9, Y1, Y11
	VPMOVMSKB Y10, AX
	VPMOVMSKB Y11, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVQ AX, 8(DI)

	// '"' in Y12, Y13; quotes in Y10, Y11
	VPCMPEQB Y8, Y2, Y12
	VPCMPEQB Y9, Y2, Y13
	VPCMPEQB Y8, Y3, Y10
	VPCMPEQB Y9, Y3, Y11
	VPOR Y12, Y10, Y10
	VPOR Y13, Y11, Y11
	VPMOVMSKB Y10, AX
	VPMOVMSKB Y11, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVQ AX, 16(DI)
	VPMOVMSKB Y12, AX
	VPMOVMSKB Y13, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVQ AX, 24(DI)

	// '='
	VPCMPEQB Y8, Y4, Y12
	VPCMPEQB Y9, Y4, Y13
	VPMOVMSKB Y12, AX
	VPMOVMSKB Y13, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVQ AX, 32(DI)

	// below 0x21 (min(b, 0x20) == b), '/', or a quote (Y10, Y11)
	VPMINUB Y8, Y6, Y12
	VPCMPEQB Y8, Y12, Y12
	VPMINUB Y9, Y6, Y13
	VPCMPEQB Y9, Y13, Y13
	VPOR Y12, Y10, Y10
	VPOR Y13, Y11, Y11
	VPCMPEQB Y8, Y5, Y12
	VPCMPEQB Y9, Y5, Y13
	VPOR Y12, Y10, Y10
	VPOR Y13, Y11, Y11
	VPMOVMSKB Y10, AX
	VPMOVMSKB Y11, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVQ AX, 40(DI)

	ADDQ $64, SI
	ADDQ $48, DI
	DECQ CX
	JNZ loop

	VZEROUPPER
	RET

// func markBlocksAVX512(p *byte, blocks int, out *blockMarks)
//
// markBlocksAVX2 with AVX-512BW: a block is one 64-byte load, and each
// comparison yields its 64 bits in a mask register.
TEXT ·markBlocksAVX512(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ out+16(FP), DI

	MOVQ $0x3c, AX
	VPBROADCASTB AX, Z0 // '<'
	MOVQ $0x3e, AX
	VPBROADCASTB AX, Z1 // '>'
	MOVQ $0x22, AX
	VPBROADCASTB AX, Z2 // '"'
	MOVQ $0x27, AX
	VPBROADCASTB AX, Z3 // '\x27'
	MOVQ $0x3d, AX
	VPBROADCASTB AX, Z4 // '='
	MOVQ $0x2f, AX
	VPBROADCASTB AX, Z5 // '/'
	MOVQ $0x20, AX
	VPBROADCASTB AX, Z6 // 0x20

loop512:
	VMOVDQU64 (SI), Z8
	VPCMPEQB Z0, Z8, K1
	KMOVQ K1, 0(DI)
	VPCMPEQB Z1, Z8, K1
	KMOVQ K1, 8(DI)
	VPCMPEQB Z2, Z8, K2
	VPCMPEQB Z3, Z8, K3
	KORQ K2, K3, K3
	KMOVQ K3, 16(DI)
	KMOVQ K2, 24(DI)
	VPCMPEQB Z4, Z8, K1
	KMOVQ K1, 32(DI)
	VPCMPUB $2, Z6, Z8, K1
	VPCMPEQB Z5, Z8, K2
	KORQ K1, K2, K1
	KORQ K1, K3, K1
	KMOVQ K1, 40(DI)

	ADDQ $64, SI
	ADDQ $48, DI
	DECQ CX
	JNZ loop512

	VZEROUPPER
	RET
