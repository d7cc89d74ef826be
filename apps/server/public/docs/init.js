// Starts Swagger UI on /openapi.json. A file, not an inline script: the CSP allows script-src 'self' only.
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // The default validator badge calls validator.swagger.io; nothing here leaves this server.
  validatorUrl: null,
  tryItOutEnabled: false,
  persistAuthorization: false,
});
