#include "textflag.h"

// The marks of markBlocks (blockwalk.go), with vectors. Both versions keep the
// four nibble tables of lookAt in registers and look up the high and low
// nibbles of the two bytes after each byte with VPSHUFB.

DATA ltByte<>+0(SB)/8, $0x3c3c3c3c3c3c3c3c
DATA ltByte<>+8(SB)/8, $0x3c3c3c3c3c3c3c3c
DATA ltByte<>+16(SB)/8, $0x3c3c3c3c3c3c3c3c
DATA ltByte<>+24(SB)/8, $0x3c3c3c3c3c3c3c3c
GLOBL ltByte<>(SB), RODATA|NOPTR, $32

DATA gtByte<>+0(SB)/8, $0x3e3e3e3e3e3e3e3e
DATA gtByte<>+8(SB)/8, $0x3e3e3e3e3e3e3e3e
DATA gtByte<>+16(SB)/8, $0x3e3e3e3e3e3e3e3e
DATA gtByte<>+24(SB)/8, $0x3e3e3e3e3e3e3e3e
GLOBL gtByte<>(SB), RODATA|NOPTR, $32

DATA dqByte<>+0(SB)/8, $0x2222222222222222
DATA dqByte<>+8(SB)/8, $0x2222222222222222
DATA dqByte<>+16(SB)/8, $0x2222222222222222
DATA dqByte<>+24(SB)/8, $0x2222222222222222
GLOBL dqByte<>(SB), RODATA|NOPTR, $32

DATA sqByte<>+0(SB)/8, $0x2727272727272727
DATA sqByte<>+8(SB)/8, $0x2727272727272727
DATA sqByte<>+16(SB)/8, $0x2727272727272727
DATA sqByte<>+24(SB)/8, $0x2727272727272727
GLOBL sqByte<>(SB), RODATA|NOPTR, $32

DATA eqByte<>+0(SB)/8, $0x3d3d3d3d3d3d3d3d
DATA eqByte<>+8(SB)/8, $0x3d3d3d3d3d3d3d3d
DATA eqByte<>+16(SB)/8, $0x3d3d3d3d3d3d3d3d
DATA eqByte<>+24(SB)/8, $0x3d3d3d3d3d3d3d3d
GLOBL eqByte<>(SB), RODATA|NOPTR, $32

DATA slashByte<>+0(SB)/8, $0x2f2f2f2f2f2f2f2f
DATA slashByte<>+8(SB)/8, $0x2f2f2f2f2f2f2f2f
DATA slashByte<>+16(SB)/8, $0x2f2f2f2f2f2f2f2f
DATA slashByte<>+24(SB)/8, $0x2f2f2f2f2f2f2f2f
GLOBL slashByte<>(SB), RODATA|NOPTR, $32

// wsTable maps a byte's low nibble to the whitespace byte with that
// nibble (tab, LF, FF, CR, space), 0xff for none: a byte is whitespace
// when VPSHUFB of it in the table gives the byte back.
DATA wsTable<>+0(SB)/8, $0xffffffffffffff20
DATA wsTable<>+8(SB)/8, $0xffff0d0cff0a09ff
DATA wsTable<>+16(SB)/8, $0xffffffffffffff20
DATA wsTable<>+24(SB)/8, $0xffff0d0cff0a09ff
GLOBL wsTable<>(SB), RODATA|NOPTR, $32

DATA aByte<>+0(SB)/8, $0x6161616161616161
DATA aByte<>+8(SB)/8, $0x6161616161616161
DATA aByte<>+16(SB)/8, $0x6161616161616161
DATA aByte<>+24(SB)/8, $0x6161616161616161
GLOBL aByte<>(SB), RODATA|NOPTR, $32

DATA b25Byte<>+0(SB)/8, $0x1919191919191919
DATA b25Byte<>+8(SB)/8, $0x1919191919191919
DATA b25Byte<>+16(SB)/8, $0x1919191919191919
DATA b25Byte<>+24(SB)/8, $0x1919191919191919
GLOBL b25Byte<>(SB), RODATA|NOPTR, $32

DATA bByte<>+0(SB)/8, $0x6262626262626262
DATA bByte<>+8(SB)/8, $0x6262626262626262
DATA bByte<>+16(SB)/8, $0x6262626262626262
DATA bByte<>+24(SB)/8, $0x6262626262626262
GLOBL bByte<>(SB), RODATA|NOPTR, $32

DATA oByte<>+0(SB)/8, $0x6f6f6f6f6f6f6f6f
DATA oByte<>+8(SB)/8, $0x6f6f6f6f6f6f6f6f
DATA oByte<>+16(SB)/8, $0x6f6f6f6f6f6f6f6f
DATA oByte<>+24(SB)/8, $0x6f6f6f6f6f6f6f6f
GLOBL oByte<>(SB), RODATA|NOPTR, $32

// MARKHALF marks the 32 bytes at off(SI) (reading three bytes past them)
// and stores each mark's 32 bits at dst+8k(DI) for mark k: dst 0 for a
// block's first half, 4 for its second (the high half of each word).
#define MARKHALF(off, dst) \
	VMOVDQU off(SI), Y8; \
	VMOVDQU off+1(SI), Y9; \
	VMOVDQU off+2(SI), Y10; \
	VPCMPEQB ltByte<>(SB), Y8, Y0; \
	VPMOVMSKB Y0, AX; \
	MOVL AX, dst+0(DI); \
	VPCMPEQB gtByte<>(SB), Y8, Y1; \
	VPMOVMSKB Y1, AX; \
	MOVL AX, dst+8(DI); \
	VPCMPEQB dqByte<>(SB), Y8, Y1; \
	VPMOVMSKB Y1, AX; \
	MOVL AX, dst+24(DI); \
	VPCMPEQB sqByte<>(SB), Y8, Y2; \
	VPOR Y1, Y2, Y2; \
	VPMOVMSKB Y2, AX; \
	MOVL AX, dst+16(DI); \
	VPCMPEQB eqByte<>(SB), Y8, Y1; \
	VPMOVMSKB Y1, AX; \
	MOVL AX, dst+32(DI); \
	VPMINUB Y6, Y8, Y1; \
	VPCMPEQB Y8, Y1, Y1; \
	VMOVDQU wsTable<>(SB), Y3; \
	VPSHUFB Y8, Y3, Y5; \
	VPCMPEQB Y8, Y5, Y5; \
	VPANDN Y1, Y5, Y5; \
	VPMOVMSKB Y5, AX; \
	MOVL AX, dst+56(DI); \
	VPOR Y1, Y2, Y2; \
	VPCMPEQB slashByte<>(SB), Y8, Y1; \
	VPOR Y1, Y2, Y2; \
	VPMOVMSKB Y2, AX; \
	MOVL AX, dst+40(DI); \
	VPSRLW $4, Y9, Y1; \
	VPAND Y7, Y1, Y1; \
	VPSHUFB Y1, Y12, Y1; \
	VPSHUFB Y9, Y13, Y2; \
	VPAND Y1, Y2, Y1; \
	VPSRLW $4, Y10, Y2; \
	VPAND Y7, Y2, Y2; \
	VPSHUFB Y2, Y14, Y2; \
	VPAND Y7, Y10, Y3; \
	VPSHUFB Y3, Y15, Y3; \
	VPAND Y2, Y3, Y2; \
	VPAND Y1, Y2, Y1; \
	VPCMPEQB Y4, Y1, Y1; \
	VPOR Y6, Y9, Y2; \
	VPSUBB aByte<>(SB), Y2, Y2; \
	VPMINUB b25Byte<>(SB), Y2, Y3; \
	VPCMPEQB Y2, Y3, Y3; \
	VPCMPEQB slashByte<>(SB), Y9, Y2; \
	VPOR Y2, Y3, Y3; \
	VPAND Y1, Y3, Y3; \
	VMOVDQU off+3(SI), Y11; \
	VPOR Y6, Y10, Y5; \
	VPCMPEQB bByte<>(SB), Y5, Y5; \
	VPOR Y6, Y11, Y11; \
	VPCMPEQB oByte<>(SB), Y11, Y11; \
	VPAND Y5, Y11, Y11; \
	VPCMPEQB slashByte<>(SB), Y9, Y5; \
	VPAND Y5, Y11, Y11; \
	VPANDN Y3, Y11, Y3; \
	VPANDN Y0, Y3, Y3; \
	VPMOVMSKB Y3, AX; \
	MOVL AX, dst+48(DI)

// func markBlocksAVX2(p *byte, blocks int, out *blockMarks, tables *[4][16]byte)
//
// Each half block is compared as 32 lanes, and VPMOVMSKB packs the
// results into the 32 bits stored in the low or high half of each word.
TEXT ·markBlocksAVX2(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ out+16(FP), DI
	MOVQ tables+24(FP), DX
	VBROADCASTI128 0(DX), Y12
	VBROADCASTI128 16(DX), Y13
	VBROADCASTI128 32(DX), Y14
	VBROADCASTI128 48(DX), Y15
	MOVQ $0x20, AX
	MOVQ AX, X6
	VPBROADCASTB X6, Y6
	MOVQ $0x0f, AX
	MOVQ AX, X7
	VPBROADCASTB X7, Y7
	VPXOR Y4, Y4, Y4

loop2:
	MARKHALF(0, 0)
	MARKHALF(32, 4)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ loop2
	VZEROUPPER
	RET

// func markBlocksAVX512(p *byte, blocks int, out *blockMarks, tables *[4][16]byte)
//
// A block is one 64-byte load, and each comparison yields its 64 bits in
// a mask register.
TEXT ·markBlocksAVX512(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ out+16(FP), DI
	MOVQ tables+24(FP), DX
	VBROADCASTI32X4 0(DX), Z16
	VBROADCASTI32X4 16(DX), Z17
	VBROADCASTI32X4 32(DX), Z18
	VBROADCASTI32X4 48(DX), Z19
	MOVQ $0x3c, AX
	VPBROADCASTB AX, Z0
	MOVQ $0x3e, AX
	VPBROADCASTB AX, Z1
	MOVQ $0x22, AX
	VPBROADCASTB AX, Z2
	MOVQ $0x27, AX
	VPBROADCASTB AX, Z3
	MOVQ $0x3d, AX
	VPBROADCASTB AX, Z4
	MOVQ $0x2f, AX
	VPBROADCASTB AX, Z5
	MOVQ $0x20, AX
	VPBROADCASTB AX, Z6
	MOVQ $0x0f, AX
	VPBROADCASTB AX, Z7
	MOVQ $0x61, AX
	VPBROADCASTB AX, Z20
	MOVQ $0x19, AX
	VPBROADCASTB AX, Z21
	MOVQ $0x62, AX
	VPBROADCASTB AX, Z22
	MOVQ $0x6f, AX
	VPBROADCASTB AX, Z23
	VBROADCASTI32X4 wsTable<>(SB), Z24

loop512:
	VMOVDQU64 (SI), Z8
	VMOVDQU64 1(SI), Z14
	VMOVDQU64 2(SI), Z15
	VPCMPEQB Z0, Z8, K1
	KMOVQ K1, 0(DI)
	VPCMPEQB Z1, Z8, K2
	KMOVQ K2, 8(DI)
	VPCMPEQB Z2, Z8, K2
	VPCMPEQB Z3, Z8, K3
	KORQ K2, K3, K3
	KMOVQ K3, 16(DI)
	KMOVQ K2, 24(DI)
	VPCMPEQB Z4, Z8, K2
	KMOVQ K2, 32(DI)
	VPCMPUB $2, Z6, Z8, K2
	VPSHUFB Z8, Z24, Z9
	VPCMPEQB Z9, Z8, K5
	KANDNQ K2, K5, K5
	KMOVQ K5, 56(DI)
	VPCMPEQB Z5, Z8, K4
	KORQ K2, K4, K2
	KORQ K2, K3, K2
	KMOVQ K2, 40(DI)

	VPSRLW $4, Z14, Z9
	VPANDQ Z7, Z9, Z9
	VPSHUFB Z9, Z16, Z9
	VPSHUFB Z14, Z17, Z10
	VPANDQ Z9, Z10, Z9
	VPSRLW $4, Z15, Z10
	VPANDQ Z7, Z10, Z10
	VPSHUFB Z10, Z18, Z10
	VPANDQ Z7, Z15, Z11
	VPSHUFB Z11, Z19, Z11
	VPANDQ Z10, Z11, Z10
	VPTESTMB Z9, Z10, K3
	VPORQ Z6, Z14, Z11
	VPSUBB Z20, Z11, Z11
	VPCMPUB $2, Z21, Z11, K4
	VPCMPEQB Z5, Z14, K5
	VMOVDQU64 3(SI), Z12
	VPORQ Z6, Z15, Z13
	VPCMPEQB Z22, Z13, K6
	VPORQ Z6, Z12, Z13
	VPCMPEQB Z23, Z13, K7
	KANDQ K6, K7, K6
	KANDQ K6, K5, K6
	KORQ K4, K5, K4
	KANDNQ K4, K3, K4
	KANDNQ K4, K6, K4
	KANDNQ K1, K4, K4
	KMOVQ K4, 48(DI)

	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ loop512
	VZEROUPPER
	RET
