package cogsync

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/store"
)

// deviceID derives a stable DeviceId from identity, platform and token, so a
// device registering again gets its ID back (and every node derives the same).
func deviceID(identityID, platform, token string) string {
	sum := sha256.Sum256([]byte(identityID + "\x00" + platform + "\x00" + token))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// RegisterDevice registers a device of the calling identity for push sync.
func (s *Service) RegisterDevice(c *api.Call) (any, error) {
	var out struct {
		DeviceId string `json:"DeviceId"`
	}
	platform, token := c.In.Str("Platform"), c.In.Str("Token")
	if token == "" {
		return nil, invalidParam("Token must not be empty.")
	}
	if len(token) > MaxKeyBytes {
		return nil, invalidParam("Token too long: %d bytes, at most %d.", len(token), MaxKeyBytes)
	}
	err := s.st.Update(c, func(tx store.Tx) error {
		i, err := identityAccess(tx, c, identityOnly, c.In.Str("IdentityPoolId"), c.In.Str("IdentityId"))
		if err != nil {
			return err
		}
		if d, err := tx.FindDevice(i.ID, platform, token); err == nil {
			out.DeviceId = d.ID
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		d := &store.Device{ID: deviceID(i.ID, platform, token), IdentityID: i.ID, PoolID: i.PoolID, Platform: platform, Token: token, CreatedAt: c.Now}
		out.DeviceId = d.ID
		return tx.AddDevice(d)
	})
	return out, err
}

// ownDevice checks that deviceID is a device of the calling identity.
func ownDevice(tx store.Tx, c *api.Call) (*store.Identity, error) {
	i, err := identityAccess(tx, c, identityOnly, c.In.Str("IdentityPoolId"), c.In.Str("IdentityId"))
	if err != nil {
		return nil, err
	}
	id := c.In.Str("DeviceId")
	d, err := tx.GetDevice(id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.IdentityID != i.ID) {
		return nil, notFound("Device '%s' not found.", id)
	}
	return i, err
}

// SubscribeToDataset subscribes a device to a dataset's changes.
func (s *Service) SubscribeToDataset(c *api.Call) (any, error) {
	return struct{}{}, s.st.Update(c, func(tx store.Tx) error {
		i, err := ownDevice(tx, c)
		if err != nil {
			return err
		}
		return tx.Subscribe(&store.Subscription{IdentityID: i.ID, Dataset: c.In.Str("DatasetName"), DeviceID: c.In.Str("DeviceId"), CreatedAt: c.Now})
	})
}

// UnsubscribeFromDataset removes a device's subscription to a dataset.
func (s *Service) UnsubscribeFromDataset(c *api.Call) (any, error) {
	return struct{}{}, s.st.Update(c, func(tx store.Tx) error {
		i, err := ownDevice(tx, c)
		if err != nil {
			return err
		}
		err = tx.Unsubscribe(i.ID, c.In.Str("DatasetName"), c.In.Str("DeviceId"))
		if errors.Is(err, store.ErrNotFound) {
			return notFound("Subscription of device '%s' to dataset '%s' not found.", c.In.Str("DeviceId"), c.In.Str("DatasetName"))
		}
		return err
	})
}
