export {};
//# sourceMappingURL=rolling-result.js.map