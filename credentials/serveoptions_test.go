package credentials

import (
	"errors"
	"net"
	"testing"
)

// TestServeOptionsCheck: the rules of a serve endpoint's options, each
// refusal a *ServeOptionError naming the option and the rule (this was
// serve's validate in package main).
func TestServeOptionsCheck(t *testing.T) {
	base := ServeOptions{Listen: DefaultAddr, Port: 9911, HopLimit: 1, ECSPath: DefaultECSPath, RefreshMargin: DefaultRefreshMargin}
	tests := []struct {
		name               string
		mod                func(*ServeOptions)
		listenSet, portSet bool
		wantListen         string
		wantOption         string
		wantErr            error // nil: any parse error of the option
	}{
		{name: "default", mod: func(*ServeOptions) {}, wantListen: "127.0.0.1:9911"},
		{name: "port", mod: func(o *ServeOptions) { o.Port = 1338 }, portSet: true, wantListen: "127.0.0.1:1338"},
		{name: "listen", mod: func(o *ServeOptions) { o.Listen = "[::1]:1339" }, listenSet: true, wantListen: "[::1]:1339"},
		{name: "remote allowed", mod: func(o *ServeOptions) { o.Listen = "0.0.0.0:1"; o.AllowRemote = true }, listenSet: true, wantListen: "0.0.0.0:1"},
		{name: "hop limit 0", mod: func(o *ServeOptions) { o.HopLimit = 0 }, wantListen: "127.0.0.1:9911"},
		{name: "no ecs path", mod: func(o *ServeOptions) { o.ECSPath = "" }, wantListen: "127.0.0.1:9911"},
		{name: "both", mod: func(o *ServeOptions) { o.Port = 2 }, listenSet: true, portSet: true, wantOption: "port", wantErr: ErrPortAndListen},
		{name: "port 0", mod: func(o *ServeOptions) { o.Port = 0 }, portSet: true, wantOption: "port", wantErr: ErrOutOfRange},
		{name: "port too big", mod: func(o *ServeOptions) { o.Port = 70000 }, portSet: true, wantOption: "port", wantErr: ErrOutOfRange},
		{name: "not host:port", mod: func(o *ServeOptions) { o.Listen = "9911" }, wantOption: "listen"},
		{name: "all interfaces", mod: func(o *ServeOptions) { o.Listen = "0.0.0.0:9911" }, wantOption: "listen", wantErr: ErrNotLoopback},
		{name: "empty host", mod: func(o *ServeOptions) { o.Listen = ":9911" }, wantOption: "listen", wantErr: ErrNotLoopback},
		{name: "hop limit", mod: func(o *ServeOptions) { o.HopLimit = 256 }, wantOption: "hop-limit", wantErr: ErrOutOfRange},
		{name: "negative hop limit", mod: func(o *ServeOptions) { o.HopLimit = -1 }, wantOption: "hop-limit", wantErr: ErrOutOfRange},
		{name: "relative ecs path", mod: func(o *ServeOptions) { o.ECSPath = "creds" }, wantOption: "ecs-path", wantErr: ErrECSPath},
		{name: "ecs path in imds", mod: func(o *ServeOptions) { o.ECSPath = "/latest/x" }, wantOption: "ecs-path", wantErr: ErrECSPath},
		{name: "role name path", mod: func(o *ServeOptions) { o.RoleName = "a/b" }, wantOption: "role-name", wantErr: ErrRoleName},
		{name: "margin", mod: func(o *ServeOptions) { o.RefreshMargin = 0 }, wantOption: "refresh-margin", wantErr: ErrNotPositive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := base
			tt.mod(&o)
			err := o.Check(tt.listenSet, tt.portSet)
			if tt.wantOption == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				if o.Listen != tt.wantListen {
					t.Errorf("Listen %q, want %q", o.Listen, tt.wantListen)
				}
				return
			}
			var se *ServeOptionError
			if !errors.As(err, &se) || se.Option != tt.wantOption {
				t.Fatalf("got %v, want a *ServeOptionError for %q", err, tt.wantOption)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestServeOptionsCheckListener: a listener bound to another address than
// loopback is refused unless AllowRemote.
func TestServeOptionsCheckListener(t *testing.T) {
	lo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lo.Close()
	o := ServeOptions{Listen: "127.0.0.1:0"}
	if err := o.CheckListener(lo); err != nil {
		t.Errorf("loopback: %v", err)
	}
	all, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skipf("cannot listen on every interface: %v", err)
	}
	defer all.Close()
	var se *ServeOptionError
	if err := o.CheckListener(all); !errors.As(err, &se) || se.Err != ErrNotLoopback || se.Bound != all.Addr().String() {
		t.Errorf("every interface: got %v, want a *ServeOptionError with ErrNotLoopback and Bound %s", err, all.Addr())
	}
	o.AllowRemote = true
	if err := o.CheckListener(all); err != nil {
		t.Errorf("every interface, AllowRemote: %v", err)
	}
}

// TestServeOptionsServer: the IMDS role defaults to the role ARN's name;
// the ECS endpoint is on only with a token.
func TestServeOptionsServer(t *testing.T) {
	o := ServeOptions{ECSPath: "/creds"}
	srv, err := o.Server(nil, "arn:aws:iam::123456789012:role/path/app", "")
	if err != nil {
		t.Fatal(err)
	}
	if o.RoleName != "app" || srv.RoleName != "app" || srv.ECSPath != "" {
		t.Errorf("got role %q (server %q), ECS path %q; want app, app and off", o.RoleName, srv.RoleName, srv.ECSPath)
	}
	o.RoleName = "mine"
	srv, err = o.Server(nil, "arn:aws:iam::123456789012:role/app", "tok")
	if err != nil {
		t.Fatal(err)
	}
	if srv.RoleName != "mine" || srv.ECSPath != "/creds" || srv.ECSToken != "tok" {
		t.Errorf("got %v, want role mine, ECS at /creds with the token", srv)
	}
}
