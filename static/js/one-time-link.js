// One-time links (invitation, password reset, new e-mail address) carry their token after '#'.
// Browsers never send that part to a server, so the token lands in no access log, proxy log or
// Referer. This takes it out of the address bar and posts it with the page's form; without
// JavaScript the person pastes the link into the same form.
(function () {
  "use strict";
  var form = document.querySelector("form[data-one-time-link]");
  var token = window.location.hash.slice(1);
  if (!form || !token) {
    return;
  }
  try {
    token = decodeURIComponent(token);
  } catch (error) {
    // Not percent-encoded after all: post it as it is.
  }
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  form.elements.token.value = token;
  form.submit();
})();
