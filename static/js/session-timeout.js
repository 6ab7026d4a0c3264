/* Conduct Portal: warn before a signed-in session ends, and lose nothing typed when it does.
 *
 * templates/signin/session_warning.html gives the seconds the server has left for this
 * session (idle and lifetime), counted here from page load. Before the idle limit a
 * dialog offers "Stay signed in", which posts the hidden form's CSRF token to the
 * keep-alive address (the CSRF cookie is HttpOnly, so the token comes from the page).
 * When the time is up: a page with nothing changed in its forms is opened again, and the
 * server ends the session and sends it to sign in (recording why); a page with changes
 * is kept, with a notice to copy what was typed before signing in again.
 *
 * Tabs share the newest idle deadline through localStorage, so activity in one tab keeps
 * another from warning or leaving. Without script, or without <dialog>, nothing shows and
 * the server still ends the session.
 */
(function () {
  "use strict";

  const root = document.getElementById("session-timeout");
  const warning = document.getElementById("session-warning");
  const ended = document.getElementById("session-ended");
  const keepAlive = document.getElementById("session-keep-alive");
  if (!root || !warning || !ended || !keepAlive || typeof warning.showModal !== "function") {
    return;
  }

  const SHARED_KEY = "conduct-portal.session.idle-deadline";
  // Past the deadline before the page is opened again, so the server, whose clock the
  // countdown started from, is sure to find the session over.
  const GRACE_MS = 3000;
  const TICK_MS = 1000;

  const seconds = (name) => Number(root.dataset[name]) * 1000;
  const loadedAt = Date.now();
  const idleLimit = seconds("idleLimitSeconds");
  const warningLead = seconds("warningSeconds");
  const lifetimeDeadline = loadedAt + seconds("lifetimeSeconds");
  let idleDeadline = loadedAt + seconds("idleSeconds");

  let warnedFor = null; // the deadline the open (or dismissed) warning was for
  let restoreFocus = null;
  let over = false;

  function sharedDeadline() {
    try {
      return Number(window.localStorage.getItem(SHARED_KEY)) || 0;
    } catch (error) {
      return 0; // storage refused (private mode, policy): this tab counts alone
    }
  }

  function shareDeadline(deadline) {
    try {
      if (deadline > sharedDeadline()) {
        window.localStorage.setItem(SHARED_KEY, String(deadline));
      }
    } catch (error) {
      /* as above */
    }
  }

  function deadline() {
    const idle = Math.max(idleDeadline, sharedDeadline());
    return idle < lifetimeDeadline
      ? { at: idle, reason: "idle" }
      : { at: lifetimeDeadline, reason: "lifetime" };
  }

  function showReason(container, reason) {
    container.querySelectorAll("[data-session-reason]").forEach((element) => {
      element.hidden = element.dataset.sessionReason !== reason;
    });
  }

  /* A form that sends something (not a search or filter, which use GET) whose fields
   * differ from what the page came with. */
  function formsChanged() {
    return Array.from(document.forms).some((form) => {
      if (form === keepAlive || form.method.toLowerCase() !== "post") {
        return false;
      }
      return Array.from(form.elements).some((field) => {
        if (field.disabled) {
          return false;
        }
        switch (field.type) {
          case "hidden":
          case "submit":
          case "button":
          case "reset":
          case "image":
            return false;
          case "checkbox":
          case "radio":
            return field.checked !== field.defaultChecked;
          case "file":
            return field.files.length > 0;
          case "select-one":
          case "select-multiple":
            return Array.from(field.options).some(
              (option) => option.selected !== option.defaultSelected,
            );
          default:
            return "defaultValue" in field && field.value !== field.defaultValue;
        }
      });
    });
  }

  function openWarning(reason, at) {
    warnedFor = at;
    showReason(warning, reason);
    warning.setAttribute("aria-describedby", `session-warning-${reason}`);
    warning.querySelector("[data-session-failed]").hidden = true;
    if (!warning.open) {
      restoreFocus = document.activeElement;
      warning.showModal();
    }
  }

  function closeWarning() {
    if (warning.open) {
      warning.close();
    }
  }

  warning.addEventListener("close", () => {
    const target = restoreFocus;
    if (target && typeof target.focus === "function" && document.contains(target)) {
      target.focus();
    }
    restoreFocus = null;
  });

  function end(reason) {
    over = true;
    window.clearInterval(timer);
    restoreFocus = null; // the notice takes the focus, not what had it before the warning
    closeWarning();
    if (!formsChanged()) {
      // The server ends the session, records why and sends the page to sign in, coming
      // back here; if another tab kept the session, this is only a fresh copy of the page.
      window.location.replace(window.location.href);
      return;
    }
    showReason(ended, reason);
    // Back to this page after signing in. Taken from the address bar here rather than
    // written into the markup, where the server would echo whatever address was asked for.
    ended.querySelectorAll("a[data-session-sign-in]").forEach((link) => {
      const url = new URL(link.getAttribute("href"), window.location.href);
      url.searchParams.set("next", window.location.pathname + window.location.search);
      link.setAttribute("href", url.pathname + url.search);
    });
    ended.hidden = false;
    ended.focus();
  }

  function check() {
    if (over) {
      return;
    }
    const { at, reason } = deadline();
    const now = Date.now();
    if (now >= at + GRACE_MS) {
      end(reason);
    } else if (now >= at - warningLead) {
      if (warnedFor !== at) {
        openWarning(reason, at);
      }
    } else if (warning.open) {
      closeWarning(); // another tab kept the session going
    }
  }

  keepAlive.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = warning.querySelector('button[form="session-keep-alive"]');
    button.disabled = true;
    try {
      const response = await fetch(keepAlive.action, {
        method: "POST",
        body: new FormData(keepAlive),
        credentials: "same-origin",
        redirect: "manual",
      });
      if (response.status === 204) {
        idleDeadline = Date.now() + idleLimit;
        shareDeadline(idleDeadline);
        closeWarning();
      } else {
        // Signed out already (the server answers with its own page or a redirect).
        end(deadline().reason);
      }
    } catch (error) {
      warning.querySelector("[data-session-failed]").hidden = false;
    } finally {
      button.disabled = false;
      if (warning.open) {
        button.focus(); // disabling it took the focus away; give it back to try again
      }
    }
  });

  warning.querySelectorAll("[data-session-close]").forEach((button) => {
    button.addEventListener("click", closeWarning);
  });

  shareDeadline(idleDeadline);
  const timer = window.setInterval(check, TICK_MS);
  // Timers in a hidden tab are slowed to once a minute; look again on coming back.
  document.addEventListener("visibilitychange", check);
  window.addEventListener("pageshow", check);
  check();
})();
