/** Roofr records (defined in the domain layer, where the mapping engine uses them too). */
export * from '../domain/roofr-records.js';
