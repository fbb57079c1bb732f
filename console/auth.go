package console

import (
	"errors"
	"net/http"
	"time"

	"go.uber.org/zap"
)

// preTTL is how long the sign-in forms' token lives.
const preTTL = int(LinkTTL / time.Second)

// signinData is the data of the sign-in page.
type signinData struct {
	Admin bool   // admin sign-in is configured
	Error string // text key of a refusal
}

// preToken returns the synchronizer token of the sign-in forms, setting
// its cookie when the visitor has none.
func (c *Console) preToken(w http.ResponseWriter, r *http.Request) (string, error) {
	if ck, err := r.Cookie(preCookie); err == nil && len(ck.Value) >= 32 {
		return ck.Value, nil
	}
	tok, err := randomToken(32)
	if err != nil {
		return "", err
	}
	c.setCookie(w, r, preCookie, tok, preTTL)
	return tok, nil
}

// checkPre checks a sign-in form's synchronizer token against its
// cookie.
func (c *Console) checkPre(w http.ResponseWriter, r *http.Request) bool {
	ck, err := r.Cookie(preCookie)
	if err != nil {
		return false
	}
	return c.checkForm(w, r, ck.Value)
}

// home is the dashboard, or the sign-in page for visitors.
func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	if s, ok := c.session(r); ok {
		c.dashboard(w, r, s)
		return
	}
	c.signinPage(w, r, http.StatusOK, "")
}

// signinPage explains how to sign in and offers the admin form.
func (c *Console) signinPage(w http.ResponseWriter, r *http.Request, status int, errKey string) {
	p := c.newPage(r, nil, "signin")
	tok, err := c.preToken(w, r)
	if err != nil {
		c.serverError(w, r, nil, "sign-in token", err)
		return
	}
	p.CSRF = tok
	p.Title = p.T("signin.title")
	p.Data = signinData{Admin: c.admin.Len() > 0, Error: errKey}
	c.render(w, status, "signin", p)
}

// linkError is the text key that explains a refused link.
func linkError(err error) string {
	switch {
	case errors.Is(err, ErrLinkExpired):
		return "error.link_expired"
	case errors.Is(err, ErrLinkUsed):
		return "error.link_used"
	}
	return "error.link_invalid"
}

// linkStatus is the status of a refused link.
func linkStatus(err error) int {
	if errors.Is(err, ErrLinkInvalid) {
		return http.StatusBadRequest
	}
	return http.StatusGone
}

// loginPage checks a sign-in link and asks to confirm. The nonce is
// used only by the confirmation (a POST), so that chat platforms that
// fetch links to preview them do not use it up.
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	cl, err := c.signer.check(token, c.now(), c.started)
	if err == nil && c.nonces.seen(cl.Nonce, c.now()) {
		err = ErrLinkUsed
	}
	if err != nil {
		c.log.Info("console: sign-in link refused", zap.String("reason", err.Error()), zap.String("ip", c.clientIP(r)))
		c.fail(w, r, nil, linkStatus(err), linkError(err))
		return
	}
	tok, err := c.preToken(w, r)
	if err != nil {
		c.serverError(w, r, nil, "sign-in token", err)
		return
	}
	p := c.newPage(r, nil, "signin")
	p.CSRF = tok
	p.Title = p.T("login.title")
	p.Data = token
	c.render(w, http.StatusOK, "confirm", p)
}

// login uses a sign-in link: it opens a session scoped to the link's
// class, or adds the class to the teacher's open session.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	if !c.checkPre(w, r) {
		c.fail(w, r, nil, http.StatusForbidden, "error.csrf")
		return
	}
	now := c.now()
	cl, err := c.signer.check(r.PostFormValue("t"), now, c.started)
	if err == nil && !c.nonces.use(cl.Nonce, time.Unix(cl.Expires, 0), now) {
		err = ErrLinkUsed
	}
	if err != nil {
		c.log.Info("console: sign-in link refused", zap.String("reason", err.Error()), zap.String("ip", c.clientIP(r)))
		c.fail(w, r, nil, linkStatus(err), linkError(err))
		return
	}
	class := ClassRef{Platform: cl.Platform, Class: cl.Class}
	if ck, err := r.Cookie(sessionCookie); err == nil && c.sessions.addClass(ck.Value, cl.Platform, cl.User, class, now) {
		c.log.Info("console: class added to a teacher's session", zap.String("platform", cl.Platform),
			zap.String("class", cl.Class), zap.String("user", cl.User))
	} else {
		c.endSession(r)
		value, err := c.sessions.create(session{Platform: cl.Platform, User: cl.User, Classes: []ClassRef{class}}, now)
		if err != nil {
			c.serverError(w, r, nil, "create session", err)
			return
		}
		c.setCookie(w, r, sessionCookie, value, int(c.sessions.ttl.Seconds()))
		c.log.Info("console: teacher signed in", zap.String("platform", cl.Platform), zap.String("class", cl.Class),
			zap.String("user", cl.User), zap.String("ip", c.clientIP(r)))
	}
	c.setCookie(w, r, preCookie, "", -1)
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

// adminLogin signs school IT in with an admin token.
func (c *Console) adminLogin(w http.ResponseWriter, r *http.Request) {
	if !c.checkPre(w, r) {
		c.fail(w, r, nil, http.StatusForbidden, "error.csrf")
		return
	}
	if !c.admin.Check(r.PostFormValue("token")) {
		c.log.Warn("console: admin sign-in refused", zap.String("ip", c.clientIP(r)))
		c.signinPage(w, r, http.StatusUnauthorized, "signin.admin.refused")
		return
	}
	c.endSession(r)
	value, err := c.sessions.create(session{Admin: true, User: "admin"}, c.now())
	if err != nil {
		c.serverError(w, r, nil, "create session", err)
		return
	}
	c.setCookie(w, r, sessionCookie, value, int(c.sessions.ttl.Seconds()))
	c.setCookie(w, r, preCookie, "", -1)
	c.log.Info("console: admin signed in", zap.String("ip", c.clientIP(r)))
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

// endSession forgets the request's session, if any, before another
// replaces it.
func (c *Console) endSession(r *http.Request) {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		c.sessions.delete(ck.Value)
	}
}

// logout ends the session.
func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	s, ok := c.session(r)
	if !ok {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	if !c.checkForm(w, r, s.CSRF) {
		c.fail(w, r, s, http.StatusForbidden, "error.csrf")
		return
	}
	c.endSession(r)
	c.setCookie(w, r, sessionCookie, "", -1)
	c.log.Info("console: signed out", zap.String("user", s.who()))
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}
