import { DEFAULT_ROOFR_PATHS, fillTemplate, resolveRoofrPaths } from '../../../src/roofr/api-paths.js';

describe('Roofr API paths', () => {
  it('when no override is given, then every endpoint has its documented default', () => {
    const paths = resolveRoofrPaths();
    expect(Object.keys(paths)).toEqual(Object.keys(DEFAULT_ROOFR_PATHS));
    expect(paths['jobs.archive']).toEqual({ name: 'jobs.archive', method: 'POST', template: '/jobs/{jobId}/archive' });
  });

  it('when an override is valid, then it replaces only that endpoint', () => {
    const paths = resolveRoofrPaths({ 'jobs.archive': 'PATCH /v2/jobs/{jobId}/archived' });
    expect(paths['jobs.archive']).toMatchObject({ method: 'PATCH', template: '/v2/jobs/{jobId}/archived' });
    expect(paths['jobs.get'].template).toBe('/jobs/{jobId}');
  });

  it('when an override drops a placeholder the endpoint needs, then it is rejected naming it', () => {
    expect(() => resolveRoofrPaths({ 'jobs.get': 'GET /jobs/current' })).toThrow(/must contain \{jobId\}/);
  });

  it('when an override names an unknown endpoint or lacks a method, then it is rejected', () => {
    expect(() => resolveRoofrPaths({ 'jobs.nope': 'GET /x' })).toThrow(/unknown endpoint/);
    expect(() => resolveRoofrPaths({ 'jobs.get': '/jobs/{jobId}' })).toThrow(/METHOD \/path/);
  });

  it('when a template is filled, then values are URL-encoded', () => {
    expect(fillTemplate('/jobs/{jobId}/tasks/{taskId}', { jobId: 'a/b', taskId: '7' })).toBe('/jobs/a%2Fb/tasks/7');
    expect(() => fillTemplate('/jobs/{jobId}', {})).toThrow(/Missing path parameter jobId/);
  });
});
