export {};
//# sourceMappingURL=bench-result.js.map