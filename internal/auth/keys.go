package auth

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Key is a developer access key bound to an account.
type Key struct {
	AccessKeyID string
	Secret      string
	Account     string
}

// Keys is the set of developer keys. It is read-only once built.
type Keys struct {
	byID map[string]Key
}

// Add adds k, replacing any key with the same ID.
func (ks *Keys) Add(k Key) {
	if ks.byID == nil {
		ks.byID = map[string]Key{}
	}
	ks.byID[k.AccessKeyID] = k
}

// Len returns the number of keys.
func (ks *Keys) Len() int { return len(ks.byID) }

// Lookup returns the key with ID id.
func (ks *Keys) Lookup(id string) (Key, bool) {
	k, ok := ks.byID[id]
	return k, ok
}

// All returns the keys (order unspecified).
func (ks *Keys) All() []Key {
	out := make([]Key, 0, len(ks.byID))
	for _, k := range ks.byID {
		out = append(out, k)
	}
	return out
}

var (
	accessKeyRE = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
	accountRE   = regexp.MustCompile(`^[0-9]{12}$`)
)

// ParseKeys reads the keys file format: one key per line,
//
//	ACCESS_KEY_ID SECRET_ACCESS_KEY [ACCOUNT_ID]
//
// separated by spaces or tabs; blank lines and lines starting with # are
// ignored; a missing account means 000000000000.
func ParseKeys(r io.Reader, name string) (*Keys, error) {
	ks := &Keys{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 || len(f) > 3 {
			return nil, fmt.Errorf("%s:%d: want ACCESS_KEY_ID SECRET_ACCESS_KEY [ACCOUNT_ID]", name, n)
		}
		k := Key{AccessKeyID: f[0], Secret: f[1], Account: DefaultAccount}
		if len(f) == 3 {
			k.Account = f[2]
		}
		if err := k.check(); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		ks.Add(k)
	}
	return ks, sc.Err()
}

func (k Key) check() error {
	if !accessKeyRE.MatchString(k.AccessKeyID) {
		return fmt.Errorf("access key ID %q: want 16 to 128 upper-case letters and digits", k.AccessKeyID)
	}
	if len(k.Secret) < 16 {
		return fmt.Errorf("secret access key of %s: want at least 16 characters", k.AccessKeyID)
	}
	if !accountRE.MatchString(k.Account) {
		return fmt.Errorf("account ID %q: want 12 digits", k.Account)
	}
	return nil
}

// Check validates a key given on the command line or in the environment.
func (k Key) Check() error { return k.check() }

// LoadKeysFile reads a keys file.
func LoadKeysFile(path string) (*Keys, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseKeys(f, path)
}

// GeneratedKeyFile is the name of the key file created in the data directory
// when sigv4 mode starts with no key configured.
const GeneratedKeyFile = "credentials"

// LoadOrCreateKey returns the generated key kept in dir, creating it (mode
// 0600) if absent; created reports whether this call made it. The file
// appears whole or not at all (written beside it, synced, then linked into
// place), so a crash during the first start cannot leave an empty file; a
// file that exists but holds no key is an error, not something to replace.
func LoadOrCreateKey(dir string) (k Key, created bool, err error) {
	path := filepath.Join(dir, GeneratedKeyFile)
	if k, err := loadGeneratedKey(path); !os.IsNotExist(err) {
		return k, false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Key{}, false, err
	}
	k = Key{AccessKeyID: "AKID" + randString(16, upperAlnum), Secret: randString(40, secretAlphabet), Account: DefaultAccount}
	body := "# cognitod developer key, generated on first start. Format: ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID\n" +
		k.AccessKeyID + " " + k.Secret + " " + k.Account + "\n"
	tmp, err := os.CreateTemp(dir, GeneratedKeyFile+".*.tmp") // mode 0600
	if err != nil {
		return Key{}, false, err
	}
	defer os.Remove(tmp.Name())
	if err := writeSynced(tmp, body); err != nil {
		return Key{}, false, err
	}
	// A link never replaces: if another process got there first, its key
	// is the one. Where there are no hard links (vfat, some network and
	// FUSE mounts), the file is created exclusively and written in place.
	err = os.Link(tmp.Name(), path)
	if err != nil && !os.IsExist(err) {
		var f *os.File
		if f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
			err = writeSynced(f, body)
		}
	}
	switch {
	case os.IsExist(err):
		k, err := loadGeneratedKey(path)
		return k, false, err
	case err != nil:
		return Key{}, false, err
	}
	syncDir(dir)
	return k, true, nil
}

// writeSynced writes body to f, syncs and closes it.
func writeSynced(f *os.File, body string) error {
	if _, err := f.WriteString(body); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadGeneratedKey reads the generated key file; an error satisfying
// os.IsNotExist means there is none yet.
func loadGeneratedKey(path string) (Key, error) {
	ks, err := LoadKeysFile(path)
	if err != nil {
		return Key{}, err
	}
	if ks.Len() == 0 {
		return Key{}, fmt.Errorf("%s holds no key: put one in it (ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID) or delete it to have a new one generated", path)
	}
	return ks.All()[0], nil
}

// syncDir makes a new directory entry durable, where the system allows.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

const (
	upperAlnum     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func randString(n int, alphabet string) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
