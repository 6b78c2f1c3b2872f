"""Writes of identity, keyword-only and named <thing>_<verb>. This package's public API: import
from ``accounts.services``; each submodule holds one concern.

- users: people and memberships
- audit: the account audit trail, ClientInfo, AccountError
- invitations: sending, revoking and opening invitations
- activation: the activation code and the new account
- email_change: a new address confirmed by mail
- second_factor: authenticator apps, text messages, backup codes, remembered devices, the reset
- sessions: where a person is signed in, ending sessions, a changed password
"""

from accounts.services.activation import (
    ACTIVATION_CODE_ATTEMPTS_MAX,
    ACTIVATION_CODE_COOLDOWN,
    ACTIVATION_CODE_VALID,
    ACTIVATION_CODES_MAX,
    invitation_activate,
    invitation_sms_code_send,
    invitation_sms_code_verify,
)
from accounts.services.audit import (
    AccountError,
    ClientInfo,
    account_event_record,
)
from accounts.services.email_change import (
    EMAIL_CHANGE_MAX_AGE,
    EMAIL_CHANGE_SALT,
    email_change_confirm,
    email_change_read,
    email_change_request,
)
from accounts.services.invitations import (
    invitation_open,
    invitation_path,
    invitation_revoke,
    invitation_send,
    invitation_send_failure,
)
from accounts.services.memberships import membership_delete, membership_update
from accounts.services.second_factor import (
    BACKUP_CODE_COUNT,
    REMEMBER_DEVICE_DAYS,
    SMS_OTP_COOLDOWN_SECONDS,
    SMS_OTP_PER_HOUR,
    SMS_OTP_VALID_SECONDS,
    TRUSTED_DEVICE_SALT,
    TWO_FACTOR_LOCK,
    TWO_FACTOR_LOCK_AFTER,
    backup_codes_generate,
    otp_device_confirm,
    otp_device_remove,
    otp_token_verify,
    password_fingerprint,
    sms_device_code_send,
    sms_device_start,
    totp_device_start,
    trusted_device_remember,
    trusted_device_use,
    trusted_devices_forget,
    two_factor_methods,
    two_factor_reset,
    two_factor_reset_refusal,
)
from accounts.services.sessions import (
    password_changed_record,
    session_forget,
    session_record,
    session_records_prune,
    sessions_end_all,
    sessions_end_others,
)
from accounts.services.users import (
    LANGUAGE_CODES,
    colleague_create,
    membership_deactivate,
    membership_ensure,
    user_get_or_create,
    user_set_language,
)

__all__ = [
    "ACTIVATION_CODES_MAX",
    "ACTIVATION_CODE_ATTEMPTS_MAX",
    "ACTIVATION_CODE_COOLDOWN",
    "ACTIVATION_CODE_VALID",
    "BACKUP_CODE_COUNT",
    "EMAIL_CHANGE_MAX_AGE",
    "EMAIL_CHANGE_SALT",
    "LANGUAGE_CODES",
    "REMEMBER_DEVICE_DAYS",
    "SMS_OTP_COOLDOWN_SECONDS",
    "SMS_OTP_PER_HOUR",
    "SMS_OTP_VALID_SECONDS",
    "TRUSTED_DEVICE_SALT",
    "TWO_FACTOR_LOCK",
    "TWO_FACTOR_LOCK_AFTER",
    "AccountError",
    "ClientInfo",
    "account_event_record",
    "backup_codes_generate",
    "colleague_create",
    "email_change_confirm",
    "email_change_read",
    "email_change_request",
    "invitation_activate",
    "invitation_open",
    "invitation_path",
    "invitation_revoke",
    "invitation_send",
    "invitation_send_failure",
    "invitation_sms_code_send",
    "invitation_sms_code_verify",
    "membership_deactivate",
    "membership_delete",
    "membership_ensure",
    "membership_update",
    "otp_device_confirm",
    "otp_device_remove",
    "otp_token_verify",
    "password_changed_record",
    "password_fingerprint",
    "session_forget",
    "session_record",
    "session_records_prune",
    "sessions_end_all",
    "sessions_end_others",
    "sms_device_code_send",
    "sms_device_start",
    "totp_device_start",
    "trusted_device_remember",
    "trusted_device_use",
    "trusted_devices_forget",
    "two_factor_methods",
    "two_factor_reset",
    "two_factor_reset_refusal",
    "user_get_or_create",
    "user_set_language",
]
