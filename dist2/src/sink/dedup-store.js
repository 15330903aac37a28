export {};
//# sourceMappingURL=dedup-store.js.map