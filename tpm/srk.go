package tpm

import (
	"crypto"
	"fmt"

	keyfile "github.com/foxboron/go-tpm-keyfiles"
	"github.com/foxboron/go-tpm-keyfiles/template"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

func keyfileTemplatePublic(tp *tpm2.TPMTPublic) (crypto.PublicKey, error) {
	return template.FromTPMPublicToPubkey(tp)
}

// parent is the storage key a blob is loaded under: a transient storage
// root key created from the TCG template (flushed after use), or a
// persistent key.
type parent struct {
	handle    tpm2.TPMHandle
	name      tpm2.TPM2BName
	pub       tpm2.TPMTPublic
	transient bool
}

// loadParent makes the parent of a key file: for a hierarchy handle (the
// owner, 0x40000001, as OpenSSL's tpm2 provider writes) the storage root
// key of the TCG ECC P-256 H-2 template, which every TPM derives the same
// from its storage seed; for a persistent handle, that key.
func loadParent(t transport.TPM, device string, h tpm2.TPMHandle) (*parent, error) {
	if uint32(h)>>24 == 0x81 {
		rp, err := tpm2.ReadPublic{ObjectHandle: h}.Execute(t)
		if err != nil {
			return nil, &DeviceError{Device: device, Op: fmt.Sprintf("read parent 0x%08x", uint32(h)), Err: err}
		}
		pub, err := rp.OutPublic.Contents()
		if err != nil {
			return nil, &DeviceError{Device: device, Op: "read parent", Err: err}
		}
		return &parent{handle: h, name: rp.Name, pub: *pub}, nil
	}
	if uint32(h)>>24 != 0x40 {
		h = tpm2.TPMRHOwner
	}
	rsp, err := tpm2.CreatePrimary{
		PrimaryHandle: tpm2.AuthHandle{Handle: h, Auth: tpm2.PasswordAuth(nil)},
		InPublic:      tpm2.New2B(keyfile.ECCSRK_H2_Template),
	}.Execute(t)
	if err != nil {
		return nil, &DeviceError{Device: device, Op: "create storage root key", Err: err}
	}
	pub, err := rsp.OutPublic.Contents()
	if err != nil {
		flush(t, rsp.ObjectHandle)
		return nil, &DeviceError{Device: device, Op: "create storage root key", Err: err}
	}
	return &parent{handle: rsp.ObjectHandle, name: rsp.Name, pub: *pub, transient: true}, nil
}

// auth is the parent as the authorized handle of a Load or Create (an
// empty password: the SRK has no auth value).
func (p *parent) auth() tpm2.AuthHandle {
	return tpm2.AuthHandle{Handle: p.handle, Name: p.name, Auth: tpm2.PasswordAuth(nil)}
}

// session is a one-use HMAC session salted with the parent that proves
// knowledge of password and encrypts the command's first parameter.
func (p *parent) session(password []byte) tpm2.Session {
	return tpm2.HMAC(tpm2.TPMAlgSHA256, 16, tpm2.Auth(password), tpm2.Salted(p.handle, p.pub), tpm2.AESEncryption(128, tpm2.EncryptIn))
}

func (p *parent) flush(t transport.TPM) {
	if p.transient {
		flush(t, p.handle)
	}
}

// loadUnderParent loads the key file kf (name is its path, for errors)
// under its parent: the parent as loadParent makes it, then the key. The
// caller calls release when done; it flushes both.
func loadUnderParent(t transport.TPM, device, name string, kf *keyfile.TPMKey) (*parent, *tpm2.LoadResponse, func(), error) {
	p, err := loadParent(t, device, kf.Parent)
	if err != nil {
		return nil, nil, nil, err
	}
	lr, err := tpm2.Load{ParentHandle: p.auth(), InPrivate: kf.Privkey, InPublic: kf.Pubkey}.Execute(t)
	if err != nil {
		p.flush(t)
		return nil, nil, nil, keyErr(name, device, "load", err)
	}
	return p, lr, func() { flush(t, lr.ObjectHandle); p.flush(t) }, nil
}
