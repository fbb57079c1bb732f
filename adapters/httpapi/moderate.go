package httpapi

import (
	"cmp"
	"context"
	"net/http"
	"strconv"
	"sync"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/bot"
)

// serveModerate is POST /v1/moderate.
func (s *Server) serveModerate(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	var req ModerateRequest
	if e := decodeJSON(w, r, MaxBody, &req); e != nil {
		writeAPIError(w, e)
		return
	}
	if e := req.validate(""); e != nil {
		writeAPIError(w, e)
		return
	}
	release, e := s.admit()
	if e != nil {
		writeAPIError(w, e)
		return
	}
	defer release()
	ctx, cancel := s.handleContext(r)
	defer cancel()
	resp, err := s.moderate(ctx, &req)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// serveBatch is POST /v1/moderate/batch: the items are judged in
// parallel (GOMAXPROCS at a time) and answered in order.
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	var req BatchRequest
	if e := decodeJSON(w, r, MaxBatchBody, &req); e != nil {
		writeAPIError(w, e)
		return
	}
	if e := req.validate(); e != nil {
		writeAPIError(w, e)
		return
	}
	release, e := s.admit()
	if e != nil {
		writeAPIError(w, e)
		return
	}
	defer release()
	ctx, cancel := s.handleContext(r)
	defer cancel()

	results := make([]ModerateResponse, len(req.Items))
	errs := make([]*apiError, len(req.Items))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(s.workers, len(req.Items)) {
		wg.Go(func() {
			for i := range next {
				resp, err := s.moderate(ctx, &req.Items[i])
				if err != nil {
					errs[i] = err
					continue
				}
				results[i] = *resp
			}
		})
	}
	for i := range req.Items {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, e := range errs {
		if e != nil {
			e.message = "items[" + strconv.Itoa(i) + "]: " + e.message
			writeAPIError(w, e)
			return
		}
	}
	writeJSON(w, http.StatusOK, BatchResponse{Results: results})
}

// admit takes a place among the requests being judged, or answers 429.
func (s *Server) admit() (release func(), e *apiError) {
	select {
	case s.inflight <- struct{}{}:
		return func() { <-s.inflight }, nil
	default:
		s.metrics.rejected.Inc()
		return nil, &apiError{http.StatusTooManyRequests, CodeTooMany, "too many requests being judged; retry in a moment"}
	}
}

// handleContext is the context a request is judged in: it outlives the
// client (an incident half acted on would be worse than an answer no one
// reads) but not HandleTimeout.
func (s *Server) handleContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), s.timeout)
}

// apiName names a channel or class the request does not name.
const apiName = "API"

// moderate judges one text through the bot.
func (s *Server) moderate(ctx context.Context, req *ModerateRequest) (*ModerateResponse, *apiError) {
	snap := s.rules.Current()
	if snap == nil {
		return nil, &apiError{http.StatusServiceUnavailable, CodeNotReady, "no rules loaded yet"}
	}
	now := s.now()
	ev := bot.Event{
		Kind: bot.MessageCreated, Platform: bot.HTTP, Received: now,
		Channel: bot.ChannelRef{Class: req.Class, ID: req.Channel},
		Message: &bot.Message{
			Ref:    bot.MessageRef{Class: req.Class, Channel: req.Channel, ID: req.MessageID},
			Author: bot.Author{UserRef: bot.UserRef{ID: req.Author}},
			Text:   req.Text, Time: now, Lang: req.Lang,
			// Names shown in notices and alerts ("your message in
			// **devoirs** (5e A)"): the request's, else "API" rather
			// than nothing.
			ChannelName: cmp.Or(req.Channel, apiName),
			ClassName:   cmp.Or(req.Class, apiName),
		},
	}
	c := &collector{}
	res, err := s.bot.Handle(context.WithValue(ctx, collectorKey{}, c), s, ev)
	if err != nil {
		s.log.Error("moderation failed", zap.String("class", req.Class), zap.String("channel", req.Channel),
			zap.String("message", req.MessageID), zap.Error(err))
		if s.rules.Current() == nil {
			return nil, &apiError{http.StatusServiceUnavailable, CodeNotReady, "no rules loaded yet"}
		}
		return nil, &apiError{http.StatusInternalServerError, CodeInternal, "the text could not be judged; see the server's log"}
	}
	resp := response(res, c.messages(), snap.Version)
	return &resp, nil
}
