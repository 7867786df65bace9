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

// func cpuHasAVX2() bool
TEXT ·cpuHasAVX2(SB), NOSPLIT, $0-1
	MOVB $0, ret+0(FP)
	MOVL $0, AX
	CPUID
	CMPL AX, $7
	JLT  no
	MOVL $1, AX
	CPUID
	// OSXSAVE (bit 27) and AVX (bit 28) in ECX.
	MOVL CX, DX
	ANDL $0x18000000, DX
	CMPL DX, $0x18000000
	JNE  no
	// The OS saves the XMM and YMM registers (XCR0 bits 1 and 2).
	MOVL $0, CX
	XGETBV
	ANDL $6, AX
	CMPL AX, $6
	JNE  no
	MOVL $7, AX
	MOVL $0, CX
	CPUID
	// AVX2 is bit 5 of EBX.
	ANDL $0x20, BX
	JZ   no
	MOVB $1, ret+0(FP)

no:
	RET
