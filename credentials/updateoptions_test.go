package credentials_test

import (
	"errors"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
)

func TestUpdateOptionsCheck(t *testing.T) {
	good := credentials.UpdateOptions{Profile: "default", RefreshMargin: 5 * time.Minute, Session: time.Hour}
	tests := []struct {
		name   string
		mod    func(o *credentials.UpdateOptions)
		option string // "" for valid
		rule   error
	}{
		{"good", func(o *credentials.UpdateOptions) {}, "", nil},
		{"once", func(o *credentials.UpdateOptions) { o.Once = true }, "", nil},
		{"retry errors", func(o *credentials.UpdateOptions) { o.RetryErrors = true }, "", nil},
		{"session not known", func(o *credentials.UpdateOptions) { o.Session, o.RefreshMargin = 0, 48*time.Hour }, "", nil},
		{"empty profile", func(o *credentials.UpdateOptions) { o.Profile = "" }, "profile", credentials.ErrProfileName},
		{"profile with a bracket", func(o *credentials.UpdateOptions) { o.Profile = "a]b" }, "profile", credentials.ErrProfileName},
		{"once and retry", func(o *credentials.UpdateOptions) { o.Once, o.RetryErrors = true, true }, "once", credentials.ErrOnceAndRetry},
		{"zero margin", func(o *credentials.UpdateOptions) { o.RefreshMargin = 0 }, "refresh-margin", credentials.ErrNotPositive},
		{"negative margin", func(o *credentials.UpdateOptions) { o.RefreshMargin = -time.Second }, "refresh-margin", credentials.ErrNotPositive},
		{"margin as long as the session", func(o *credentials.UpdateOptions) { o.RefreshMargin = time.Hour }, "refresh-margin", nil},
		{"profile first", func(o *credentials.UpdateOptions) { o.Profile, o.Once, o.RetryErrors = "", true, true }, "profile", credentials.ErrProfileName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good
			tt.mod(&o)
			err := o.Check()
			if tt.option == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			var oe *credentials.UpdateOptionError
			if !errors.As(err, &oe) || oe.Option != tt.option {
				t.Fatalf("got %v, want an UpdateOptionError for %s", err, tt.option)
			}
			if tt.rule != nil && !errors.Is(err, tt.rule) {
				t.Errorf("got %v, want it to wrap %v", err, tt.rule)
			}
			var me *credentials.MarginError
			if tt.rule == nil && (!errors.As(err, &me) || me.Session != time.Hour) {
				t.Errorf("got %v, want a MarginError with the session", err)
			}
		})
	}
}
