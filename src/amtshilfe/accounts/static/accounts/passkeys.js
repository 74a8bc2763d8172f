// Passkeys (WebAuthn): the only script of the account pages. Buttons with data-passkey are
// hidden in the HTML and shown here when the browser can use passkeys; everything else on
// the pages works without JavaScript.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !window.fetch) return;

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var raw = atob(base64), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }
  function toText(buffer) {
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function csrf(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function post(url, token, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.detail || "error");
        return data;
      });
    });
  }
  function credentialJSON(credential) {
    var response = credential.response, json = {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(), response: {
        clientDataJSON: toText(response.clientDataJSON),
      },
    };
    if (response.attestationObject) {
      json.response.attestationObject = toText(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toText(response.authenticatorData);
      json.response.signature = toText(response.signature);
      if (response.userHandle) json.response.userHandle = toText(response.userHandle);
    }
    return json;
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    var kind = form.getAttribute("data-passkey");
    var status = form.querySelector("[data-passkey-status]");
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var token = csrf(form);
      status.textContent = "";
      post(form.getAttribute("data-options-url"), token).then(function (options) {
        options.challenge = toBytes(options.challenge);
        if (kind === "register") {
          options.user.id = toBytes(options.user.id);
          (options.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
          return navigator.credentials.create({ publicKey: options });
        }
        (options.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
        return navigator.credentials.get({ publicKey: options });
      }).then(function (credential) {
        var name = form.querySelector("input[name=name]");
        return post(form.action, token, {
          credential: credentialJSON(credential),
          name: name ? name.value : "",
          next: (form.querySelector("input[name=next]") || {}).value || "",
        });
      }).then(function (result) {
        window.location.assign(result.redirect);
      }).catch(function () {
        status.textContent = form.getAttribute("data-error");
      });
    });
  });
})();
