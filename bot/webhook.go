package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"github.com/vigie-edu/vigie/store"
)

// WebhookPayload is the JSON body of a webhook alert.
type WebhookPayload struct {
	// Type: "incident", "summary" (grouped incidents), "escalation" or
	// "report" (a student's private report).
	Type        string         `json:"type"`
	IncidentID  string         `json:"incident_id,omitempty"`
	Platform    string         `json:"platform"`
	ClassID     string         `json:"class_id"`
	ClassName   string         `json:"class_name,omitempty"`
	ChannelID   string         `json:"channel_id,omitempty"`
	ChannelName string         `json:"channel_name,omitempty"`
	Author      UserRef        `json:"author"`
	Time        time.Time      `json:"time"`
	Categories  []string       `json:"categories,omitempty"`
	Action      string         `json:"action,omitempty"`
	DryRun      bool           `json:"dry_run"`
	Urgent      bool           `json:"urgent,omitempty"`
	Title       string         `json:"title"`
	Text        string         `json:"text"`               // the alert's text, localised
	Evidence    string         `json:"evidence,omitempty"` // the message or report
	Link        string         `json:"link,omitempty"`
	Steps       []store.Step   `json:"steps,omitempty"`
	Count       int            `json:"count,omitempty"`     // summary: grouped incidents
	Breakdown   map[string]int `json:"breakdown,omitempty"` // summary: per category
}

// SignatureHeader carries a webhook body's signature:
// "sha256=" + hex(HMAC-SHA256(secret, body)).
const SignatureHeader = "X-Vigie-Signature"

// Sign returns the value of SignatureHeader for body.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// webhookAttempts bounds the tries of one webhook alert.
const webhookAttempts = 4

// errPermanent marks a webhook answer not worth retrying (4xx).
var errPermanent = errors.New("refused")

// postWebhook posts a signed alert, retrying network errors, 429 and 5xx
// answers with exponential backoff; each attempt has a 10 s timeout.
// Errors name the webhook's host only: neither the URL (which may hold a
// token) nor the secret appear in them.
func (b *Bot) postWebhook(ctx context.Context, w Webhook, p WebhookPayload) error {
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("webhook: encode: %w", err)
	}
	u, err := url.Parse(w.URL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("webhook: invalid URL")
	}
	sig := Sign([]byte(w.Secret), body)
	backoff := unavailableFirst
	for attempt := 1; ; attempt++ {
		err = b.postOnce(ctx, w.URL, u.Host, body, sig)
		if err == nil {
			return nil
		}
		b.metrics.PlatformFailures.WithLabelValues("webhook", "post", webhookKind(err)).Inc()
		if errors.Is(err, errPermanent) || attempt >= webhookAttempts || ctx.Err() != nil {
			return err
		}
		wait := backoff + rand.N(backoff/2+1)
		backoff *= 2
		if serr := b.clock.Sleep(ctx, wait); serr != nil {
			return errors.Join(err, serr)
		}
	}
}

func webhookKind(err error) string {
	if errors.Is(err, errPermanent) {
		return "refused"
	}
	return "unavailable"
}

func (b *Bot) postOnce(ctx context.Context, rawURL, host string, body []byte, sig string) error {
	ctx, cancel := context.WithTimeout(ctx, webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook %s: %w", host, errPermanent)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Vigie")
	req.Header.Set(SignatureHeader, sig)
	resp, err := b.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL
		}
		return fmt.Errorf("webhook %s: %w", host, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("webhook %s: HTTP %d", host, resp.StatusCode)
	}
	return fmt.Errorf("webhook %s: HTTP %d: %w", host, resp.StatusCode, errPermanent)
}
