// Drives CRM.COM's generated Self-Service v2 SDK (github.com/mioannoucrmcom/crm-typescript)
// against a running contactd, by hand (not part of make test: CI cannot fetch the SDK).
// Copy this file into the SDK's checkout, then:
//   npm install --omit=dev && npm install --no-save esbuild
//   npx esbuild crm_v2_sdk_drive.ts --bundle --platform=node --format=esm --outfile=drive.mjs
//   node drive.mjs http://127.0.0.1:8080 "$(contactd apikey create --type public)" [national number]
// (codes are read from the development inbox, so run contactd without SMS/SMTP, on
// loopback; WAIT_RESEND=seconds waits out CONTACTD_OTP_RESEND_INTERVAL before otp).
import { CrmCore } from "./src/core.js";
import { contactRegisterContactSS } from "./src/funcs/contact-register-contact-ss.js";
import { authenticationComCrmContactSelfServiceResourceValidateOTP as validateOtp } from "./src/funcs/authentication-com-crm-contact-self-service-resource-validate-otp.js";
import { authenticationComCrmContactSelfServiceResourceRequestOTP as requestOtp } from "./src/funcs/authentication-com-crm-contact-self-service-resource-request-otp.js";
import { contactGetSingleContactSS } from "./src/funcs/contact-get-single-contact-ss.js";
import { authenticationComCrmContactSelfServiceResourceRefresh as refresh } from "./src/funcs/authentication-com-crm-contact-self-service-resource-refresh.js";
import { authenticationAddContactIdentitySS as addIdentity } from "./src/funcs/authentication-add-contact-identity-ss.js";
import { authenticationComCrmContactSelfServiceResourceAuthenticate as authenticate } from "./src/funcs/authentication-com-crm-contact-self-service-resource-authenticate.js";
import { authenticationComCrmContactSelfServiceResourceSignOut as signOut } from "./src/funcs/authentication-com-crm-contact-self-service-resource-sign-out.js";
import { authenticationComCrmContactSelfServiceResourceForgotPassword as forgotPassword } from "./src/funcs/authentication-com-crm-contact-self-service-resource-forgot-password.js";

const [base, apiKey] = process.argv.slice(2);
const phone = process.argv[4] ?? "99478230";

async function lastCode(recipient: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const r = await fetch(base + "/portal/dev/messages");
    const body: any = await r.json();
    const m = body.content.find((x: any) => x.recipient === recipient);
    const code = m?.body.match(/\b(\d{6})\b/);
    if (code) return code[1];
    await new Promise((ok) => setTimeout(ok, 200));
  }
  throw new Error("no code for " + recipient);
}

function show(step: string, result: any) {
  if (!result.ok) {
    const e = result.error;
    console.log(`${step}: FAILED ${e?.constructor?.name}: ${e?.message}` +
      (e?.httpMeta ? ` (status ${e.httpMeta.response.status})` : "") + (e?.body ? ` body=${e.body}` : "") +
      (e?.rawValue ? ` raw=${JSON.stringify(e.rawValue)}` : ""));
    return undefined;
  }
  console.log(`${step}: ok ${JSON.stringify(result.value, (k, v) => (/token/i.test(k) && typeof v === "string" ? v.slice(0, 8) + "…" : v))}`);
  return result.value;
}

const anonymous = new CrmCore({ serverURL: base });
const reg = show("register (PHONE, email null)", await contactRegisterContactSS(anonymous, {
  apiKey,
  body: { firstName: "Andy", lastName: "Steward", identification: { provider: "PHONE", email: null, phone: { number: phone, countryCode: "CYP" } } },
}));
const e164 = "+357" + phone;
let session = show("validate_otp", await validateOtp(anonymous, { apiKey, body: { authOtp: reg.authOtp, code: await lastCode(e164) } }));
const id = session.contact.id;
let signedIn = new CrmCore({ serverURL: base, authorizationSelfService: session.accessToken });
show("GET contact (bearer only)", await contactGetSingleContactSS(signedIn, { id }));
const byRefresh = new CrmCore({ serverURL: base, authorizationSelfService: session.refreshToken });
session = show("refresh (refresh token as bearer)", await refresh(byRefresh));
signedIn = new CrmCore({ serverURL: base, authorizationSelfService: session.accessToken });
show("GET contact after refresh", await contactGetSingleContactSS(signedIn, { id }));
if (process.env.WAIT_RESEND) await new Promise((ok) => setTimeout(ok, Number(process.env.WAIT_RESEND) * 1000));
const otp = show("otp", await requestOtp(anonymous, { apiKey, body: { method: "SMS", credentials: [{ name: "PHONE", value: e164 }] } }));
if (otp) {
  session = show("validate_otp again", await validateOtp(anonymous, { apiKey, body: { authOtp: otp.authOtp, code: await lastCode(e164) } }));
  signedIn = new CrmCore({ serverURL: base, authorizationSelfService: session.accessToken });
}
const email = `andy.${phone}@example.com`, password = "correct horse battery v2";
const added = show("add EMAIL identity with password", await addIdentity(signedIn, { id, body: { provider: "EMAIL", email, password } }));
void added;
const authed = show("authenticate EMAIL+password", await authenticate(anonymous, { publicAPIKey: apiKey }, { apiKey, body: { provider: "EMAIL", username: email, password, token: null, phone: null, macAddress: null } }));
if (authed) signedIn = new CrmCore({ serverURL: base, authorizationSelfService: authed.accessToken });
show("forgot_password", await forgotPassword(anonymous, { apiKey, body: { username: email } }));
show("sign_out", await signOut(signedIn, { id }));
show("GET contact after sign_out (expect 401)", await contactGetSingleContactSS(signedIn, { id }));
