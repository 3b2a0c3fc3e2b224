// Progressive enhancement: mark the page as scripted, then start the
// GOV.UK Frontend components. A module script, so no inline script is needed
// and the Content-Security-Policy can forbid inline scripts altogether.
import { initAll } from "./vendor/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
