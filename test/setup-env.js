// Apps-Engine 1.62 skips every app-permission check when NODE_ENV === 'test' (AppPermissionManager).
// Tests must see the permissions the app really declares, so run the engine as it runs on a server.
process.env.NODE_ENV = 'development';
