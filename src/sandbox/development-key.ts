/**
 * The secret key the sandbox uses when none is configured. It is deliberately public and fixed, so sample calls
 * and other teams' tests can sign requests without any setup; it protects nothing and must never be used with the
 * real service.
 */
export const DEVELOPMENT_SECRET_KEY = 'sandbox-development-key-public-not-a-secret-0000000000000000';
