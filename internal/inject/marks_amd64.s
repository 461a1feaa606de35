#include "textflag.h"

// func markBlocksAVX2(p *byte, blocks int, out *blockMarks)
//
// For each 64-byte block at p, writes two words to out: the bits of the
// bytes that are '<' or '>', then those that are '"' or '\''. blocks > 0.
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
	VPBROADCASTB X3, Y3 // '\''
	TESTQ CX, CX
	JLE done

loop:
	VMOVDQU (SI), Y8
	VMOVDQU 32(SI), Y9
	VPCMPEQB Y8, Y0, Y10
	VPCMPEQB Y8, Y1, Y11
	VPOR Y10, Y11, Y10
	VPCMPEQB Y9, Y0, Y12
	VPCMPEQB Y9, Y1, Y13
	VPOR Y12, Y13, Y12
	VPMOVMSKB Y10, AX
	VPMOVMSKB Y12, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVQ AX, (DI)
	VPCMPEQB Y8, Y2, Y10
	VPCMPEQB Y8, Y3, Y11
	VPOR Y10, Y11, Y10
	VPCMPEQB Y9, Y2, Y12
	VPCMPEQB Y9, Y3, Y13
	VPOR Y12, Y13, Y12
	VPMOVMSKB Y10, AX
	VPMOVMSKB Y12, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVQ AX, 8(DI)
	ADDQ $64, SI
	ADDQ $16, DI
	DECQ CX
	JNZ loop

done:
	VZEROUPPER
	RET
