package cogsync

import (
	"encoding/json"
	"strings"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/store"
)

// syncConfig is a pool's Sync configuration, kept as SyncPool.Config.
type syncConfig struct {
	PushSync       *pushSync         `json:"PushSync,omitempty"`
	CognitoStreams *cognitoStreams   `json:"CognitoStreams,omitempty"`
	Events         map[string]string `json:"Events,omitempty"`
}

type pushSync struct {
	ApplicationArns []string `json:"ApplicationArns,omitempty"`
	RoleArn         string   `json:"RoleArn,omitempty"`
}

type cognitoStreams struct {
	StreamName      string `json:"StreamName,omitempty"`
	RoleArn         string `json:"RoleArn,omitempty"`
	StreamingStatus string `json:"StreamingStatus,omitempty"`
}

// CheckConfig reports whether b is a pool's Sync configuration as this
// service stores it (import checks each of a dump with it).
func CheckConfig(b []byte) error {
	_, err := decodeSyncConfig(&store.SyncPool{Config: b})
	return err
}

func decodeSyncConfig(sp *store.SyncPool) (*syncConfig, error) {
	c := &syncConfig{}
	if sp == nil || len(sp.Config) == 0 {
		return c, nil
	}
	return c, json.Unmarshal(sp.Config, c)
}

func (c *syncConfig) streaming() bool {
	return c != nil && c.CognitoStreams != nil && c.CognitoStreams.StreamingStatus == "ENABLED" && c.CognitoStreams.StreamName != ""
}

// withConfig runs fn on a developer's pool's Sync configuration, saving it
// when write is set.
func (s *Service) withConfig(c *api.Call, write bool, fn func(p *store.Pool, cfg *syncConfig) error) error {
	run := s.st.View
	if write {
		run = s.st.Update
	}
	return run(c, func(tx store.Tx) error {
		p, err := developerPool(tx, c, c.In.Str("IdentityPoolId"))
		if err != nil {
			return err
		}
		sp, err := syncPool(tx, p.ID)
		if err != nil {
			return err
		}
		cfg, err := decodeSyncConfig(sp)
		if err != nil {
			return err
		}
		if err := fn(p, cfg); err != nil || !write {
			return err
		}
		if sp == nil {
			sp = &store.SyncPool{PoolID: p.ID}
		}
		if sp.Config, err = json.Marshal(cfg); err != nil {
			return err
		}
		return tx.PutSyncPool(sp)
	})
}

type poolConfigOut struct {
	IdentityPoolId string          `json:"IdentityPoolId"`
	PushSync       *pushSync       `json:"PushSync,omitempty"`
	CognitoStreams *cognitoStreams `json:"CognitoStreams,omitempty"`
}

// GetIdentityPoolConfiguration returns the pool's push sync and Cognito
// Streams configuration.
func (s *Service) GetIdentityPoolConfiguration(c *api.Call) (any, error) {
	var out poolConfigOut
	err := s.withConfig(c, false, func(p *store.Pool, cfg *syncConfig) error {
		out = poolConfigOut{p.ID, cfg.PushSync, cfg.CognitoStreams}
		return nil
	})
	return out, err
}

// SetIdentityPoolConfiguration sets push sync and Cognito Streams; a member
// left out keeps its current value.
func (s *Service) SetIdentityPoolConfiguration(c *api.Call) (any, error) {
	var out poolConfigOut
	err := s.withConfig(c, true, func(p *store.Pool, cfg *syncConfig) error {
		if ps := c.In.Struct("PushSync"); ps != nil {
			cfg.PushSync = &pushSync{ApplicationArns: ps.StrList("ApplicationArns"), RoleArn: ps.Str("RoleArn")}
			if len(cfg.PushSync.ApplicationArns) > 0 && cfg.PushSync.RoleArn == "" {
				return invalidParam("PushSync requires a RoleArn when ApplicationArns are given.")
			}
		}
		if cs := c.In.Struct("CognitoStreams"); cs != nil {
			st := &cognitoStreams{StreamName: cs.Str("StreamName"), RoleArn: cs.Str("RoleArn"), StreamingStatus: cs.Str("StreamingStatus")}
			if st.StreamingStatus == "" {
				st.StreamingStatus = "ENABLED"
			}
			if st.StreamName == "" && st.StreamingStatus == "ENABLED" {
				return invalidParam("CognitoStreams requires a StreamName to be ENABLED.")
			}
			cfg.CognitoStreams = st
		}
		out = poolConfigOut{p.ID, cfg.PushSync, cfg.CognitoStreams}
		return nil
	})
	return out, err
}

// syncTrigger is the one Cognito event type.
const syncTrigger = "SyncTrigger"

// GetCognitoEvents returns the pool's event configuration.
func (s *Service) GetCognitoEvents(c *api.Call) (any, error) {
	out := struct {
		Events map[string]string `json:"Events"`
	}{Events: map[string]string{}}
	err := s.withConfig(c, false, func(p *store.Pool, cfg *syncConfig) error {
		for k, v := range cfg.Events {
			out.Events[k] = v
		}
		return nil
	})
	return out, err
}

// SetCognitoEvents sets the pool's events (the SyncTrigger Lambda
// function). As AWS documents it, only the keys given change, and an empty
// value removes its key; the others stay as they were.
func (s *Service) SetCognitoEvents(c *api.Call) (any, error) {
	events := c.In.StrMap("Events")
	for k, v := range events {
		if k != syncTrigger {
			return nil, invalidParam("Invalid event type %s: the only event type is %s.", k, syncTrigger)
		}
		if v != "" && !strings.HasPrefix(v, "arn:"+awsproto.Partition(c.Region)+":lambda:") {
			return nil, invalidParam("Invalid Lambda function ARN: %s", v)
		}
	}
	return nil, s.withConfig(c, true, func(p *store.Pool, cfg *syncConfig) error {
		for k, v := range events {
			if v == "" {
				delete(cfg.Events, k)
				continue
			}
			if cfg.Events == nil {
				cfg.Events = map[string]string{}
			}
			cfg.Events[k] = v
		}
		if len(cfg.Events) == 0 {
			cfg.Events = nil
		}
		return nil
	})
}
