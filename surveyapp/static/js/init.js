// Start GOV.UK Frontend's components (error summary focus, character count, double-click guard).
import { initAll } from "../dist/govuk-frontend.min.js";
initAll();
