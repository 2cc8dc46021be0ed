// Swagger UI on this API's OpenAPI document. The document's URL is taken from this script's
// own (…/api/docs/docs.js), so the page works from /api/docs and /api/docs/ alike, and
// "Try it out" calls the document's server (/api) on this origin.
"use strict";

const documentUrl = new URL("../openapi.json", document.currentScript.src).href;

window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({
    url: documentUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null, // no call to validator.swagger.io
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
