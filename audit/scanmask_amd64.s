//go:build amd64 && !purego

#include "textflag.h"

// func scanMasksSSE2(b []byte, q, bs, st []uint64)
// For each 64-byte block k of b (len(q) blocks; the caller checks
// len(b) >= 64*len(q) and len(bs), len(st) >= len(q)), bit i of q[k],
// bs[k] and st[k] is set when b[64k+i] is '"', '\\' or one of {}[]. SSE2
// only (every amd64 has it).
TEXT ·scanMasksSSE2(SB), NOSPLIT, $0-96
	MOVQ b_base+0(FP), SI
	MOVQ q_base+24(FP), DI
	MOVQ q_len+32(FP), CX
	MOVQ bs_base+48(FP), R8
	MOVQ st_base+72(FP), R9
	MOVOU maskQuote<>(SB), X8
	MOVOU maskBslash<>(SB), X9
	MOVOU mask20<>(SB), X10
	MOVOU maskOpen<>(SB), X11
	MOVOU maskClose<>(SB), X12
	XORQ R10, R10

loop:
	CMPQ R10, CX
	JGE  done
	XORQ R11, R11
	XORQ R12, R12
	XORQ R13, R13

#define LANE(off, sh) \
	MOVOU off(SI), X0 \
	MOVOU X0, X1 \
	PCMPEQB X8, X1 \
	PMOVMSKB X1, AX \
	SHLQ $sh, AX \
	ORQ AX, R11 \
	MOVOU X0, X2 \
	PCMPEQB X9, X2 \
	PMOVMSKB X2, BX \
	SHLQ $sh, BX \
	ORQ BX, R12 \
	POR X10, X0 \
	MOVOU X0, X3 \
	PCMPEQB X11, X0 \
	PCMPEQB X12, X3 \
	POR X3, X0 \
	PMOVMSKB X0, DX \
	SHLQ $sh, DX \
	ORQ DX, R13

	LANE(0, 0)
	LANE(16, 16)
	LANE(32, 32)
	LANE(48, 48)

	MOVQ R11, (DI)(R10*8)
	MOVQ R12, (R8)(R10*8)
	MOVQ R13, (R9)(R10*8)
	ADDQ $64, SI
	INCQ R10
	JMP  loop

done:
	RET

DATA maskQuote<>+0(SB)/8, $0x2222222222222222
DATA maskQuote<>+8(SB)/8, $0x2222222222222222
GLOBL maskQuote<>(SB), (RODATA|NOPTR), $16
DATA maskBslash<>+0(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA maskBslash<>+8(SB)/8, $0x5c5c5c5c5c5c5c5c
GLOBL maskBslash<>(SB), (RODATA|NOPTR), $16
DATA mask20<>+0(SB)/8, $0x2020202020202020
DATA mask20<>+8(SB)/8, $0x2020202020202020
GLOBL mask20<>(SB), (RODATA|NOPTR), $16
DATA maskOpen<>+0(SB)/8, $0x7b7b7b7b7b7b7b7b
DATA maskOpen<>+8(SB)/8, $0x7b7b7b7b7b7b7b7b
GLOBL maskOpen<>(SB), (RODATA|NOPTR), $16
DATA maskClose<>+0(SB)/8, $0x7d7d7d7d7d7d7d7d
DATA maskClose<>+8(SB)/8, $0x7d7d7d7d7d7d7d7d
GLOBL maskClose<>(SB), (RODATA|NOPTR), $16

// func scanMasksAVX2(b []byte, q, bs, st []uint64)
// scanMasks with 32-byte registers (see hasAVX2).
TEXT ·scanMasksAVX2(SB), NOSPLIT, $0-96
	MOVQ b_base+0(FP), SI
	MOVQ q_base+24(FP), DI
	MOVQ q_len+32(FP), CX
	MOVQ bs_base+48(FP), R8
	MOVQ st_base+72(FP), R9
	VPBROADCASTB maskQuote<>(SB), Y8
	VPBROADCASTB maskBslash<>(SB), Y9
	VPBROADCASTB mask20<>(SB), Y10
	VPBROADCASTB maskOpen<>(SB), Y11
	VPBROADCASTB maskClose<>(SB), Y12
	XORQ R10, R10

loop2:
	CMPQ R10, CX
	JGE  done2
	VMOVDQU 0(SI), Y0
	VMOVDQU 32(SI), Y4
	VPCMPEQB Y8, Y0, Y1
	VPCMPEQB Y8, Y4, Y5
	VPMOVMSKB Y1, AX
	VPMOVMSKB Y5, BX
	SHLQ $32, BX
	ORQ  BX, AX
	MOVQ AX, (DI)(R10*8)
	VPCMPEQB Y9, Y0, Y1
	VPCMPEQB Y9, Y4, Y5
	VPMOVMSKB Y1, AX
	VPMOVMSKB Y5, BX
	SHLQ $32, BX
	ORQ  BX, AX
	MOVQ AX, (R8)(R10*8)
	VPOR Y10, Y0, Y0
	VPOR Y10, Y4, Y4
	VPCMPEQB Y11, Y0, Y1
	VPCMPEQB Y12, Y0, Y2
	VPOR Y2, Y1, Y1
	VPCMPEQB Y11, Y4, Y5
	VPCMPEQB Y12, Y4, Y6
	VPOR Y6, Y5, Y5
	VPMOVMSKB Y1, AX
	VPMOVMSKB Y5, BX
	SHLQ $32, BX
	ORQ  BX, AX
	MOVQ AX, (R9)(R10*8)
	ADDQ $64, SI
	INCQ R10
	JMP  loop2

done2:
	VZEROUPPER
	RET
// func walkBlocksAVX2(b []byte, blk int, w *blockWalk) int
// The plain blocks of a record, 64 bytes at a time from b[blk:] (see
// walkBlocksGeneric, the portable version, for what plain means). For each
// it updates w.inStr (all ones when the block ends inside a string),
// w.prevOpen (the block's opening quotes) and w.slack; it returns the
// index of the first block that is not plain, for Go to look at, or that
// does not fit in b. Needs AVX2, PCLMULQDQ and POPCNT (hasWalk). The
// caller guarantees blk >= 64 and that b[blk] is not escaped.
TEXT ·walkBlocksAVX2(SB), NOSPLIT, $0-48
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ blk+24(FP), DX
	MOVQ w+32(FP), DI
	MOVQ 0(DI), R8   // inStr
	MOVQ 8(DI), R9   // prevOpen
	MOVQ 16(DI), R10 // slack
	VPBROADCASTB maskQuote<>(SB), Y8
	VPBROADCASTB maskBslash<>(SB), Y9
	VPBROADCASTB mask20<>(SB), Y10
	VPBROADCASTB maskOpen<>(SB), Y11
	VPBROADCASTB maskClose<>(SB), Y12
	VMOVDQU      markerTail<>(SB), Y13
	MOVQ         $-1, AX
	MOVQ         AX, X14
	SUBQ         $64, CX

wloop:
	CMPQ DX, CX
	JGT  wdone
	VMOVDQU 0(SI)(DX*1), Y0
	VMOVDQU 32(SI)(DX*1), Y1

	// A backslash: Go resolves the escapes.
	VPCMPEQB Y9, Y0, Y2
	VPCMPEQB Y9, Y1, Y3
	VPOR     Y3, Y2, Y2
	VPTEST   Y2, Y2
	JNZ      wdone

	// AX: the quotes; BX: the bytes inside strings, opening quotes
	// included (prefix XOR of the quotes: a carry-less multiply by all
	// ones), with the string carried in; R11: the next inStr.
	VPCMPEQB  Y8, Y0, Y2
	VPCMPEQB  Y8, Y1, Y3
	VPMOVMSKB Y2, AX
	VPMOVMSKB Y3, BX
	SHLQ      $32, BX
	ORQ       BX, AX
	MOVQ      AX, X4
	PCLMULQDQ $0x00, X14, X4
	MOVQ      X4, BX
	XORQ      R8, BX
	MOVQ      BX, R11
	SARQ      $63, R11

	// DI, X6: the opening quotes; AX: the closing ones; BX: outside
	// strings.
	MOVQ AX, DI
	ANDQ BX, DI
	MOVQ DI, X6
	NOTQ BX
	ANDQ BX, AX

	// Strings of the marker's length (closing quote 28 bytes after the
	// opening one, in this block or the one before): when one is the
	// marker, Go takes the block.
	MOVQ  w+32(FP), R13
	CMPQ  24(R13), $0
	JNE   wbrackets
	SHLQ  $28, DI
	MOVQ  R9, R12
	SHRQ  $36, R12
	ORQ   R12, DI
	ANDQ  AX, DI

wmarker:
	BSFQ     DI, R12
	JZ       wbrackets
	LEAQ     -1(DI), R13
	ANDQ     R13, DI
	LEAQ     -32(SI)(DX*1), R13
	ADDQ     R12, R13
	VMOVDQU  (R13), Y2
	VPCMPEQB Y13, Y2, Y2
	VPMOVMSKB Y2, R13
	ORL      $0x1f, R13
	CMPL     R13, $-1
	JEQ      wdone
	JMP      wmarker

wbrackets:
	// R12: closing brackets outside strings; R13: opening ones.
	VPOR      Y10, Y0, Y0
	VPOR      Y10, Y1, Y1
	VPCMPEQB  Y12, Y0, Y2
	VPCMPEQB  Y12, Y1, Y3
	VPMOVMSKB Y2, R12
	VPMOVMSKB Y3, R13
	SHLQ      $32, R13
	ORQ       R13, R12
	ANDQ      BX, R12
	VPCMPEQB  Y11, Y0, Y2
	VPCMPEQB  Y11, Y1, Y3
	VPMOVMSKB Y2, R13
	VPMOVMSKB Y3, AX
	SHLQ      $32, AX
	ORQ       AX, R13
	ANDQ      BX, R13
	POPCNTQ   R12, AX
	CMPQ      AX, R10
	JGE       wexact
	POPCNTQ   R13, BX
	SUBQ      AX, R10
	ADDQ      BX, R10
	JMP       wnext

wexact:
	// Enough closing brackets to end the record: follow the depth bracket
	// by bracket; if it comes back to the record's, Go takes the block.
	ORQ  R13, R12
	MOVQ R10, AX

wbit:
	BSFQ R12, BX
	JZ   wbitsok
	LEAQ -1(R12), DI
	ANDQ DI, R12
	// AX += 1 for an opening bracket, -= 1 for a closing one, without
	// a branch on which.
	BTQ  BX, R13
	SBBQ DI, DI
	SHLQ $1, DI
	SUBQ DI, AX
	DECQ AX
	JZ   wdone
	JMP  wbit

wbitsok:
	MOVQ AX, R10

wnext:
	MOVQ R11, R8
	MOVQ X6, R9
	ADDQ $64, DX
	JMP  wloop

wdone:
	MOVQ w+32(FP), DI
	MOVQ R8, 0(DI)
	MOVQ R9, 8(DI)
	MOVQ R10, 16(DI)
	MOVQ DX, ret+40(FP)
	VZEROUPPER
	RET

// markerTail: five bytes walkBlocksAVX2 ignores, then
// rolesanywhere.amazonaws.com (the 32 bytes that end at a closing quote).
DATA markerTail<>+0(SB)/8, $"#####rol"
DATA markerTail<>+8(SB)/8, $"esanywhe"
DATA markerTail<>+16(SB)/8, $"re.amazo"
DATA markerTail<>+24(SB)/8, $"naws.com"
GLOBL markerTail<>(SB), (RODATA|NOPTR), $32
