// projects.* procedures: wiring only; the rules live in projects.service.ts.
import { authedProcedure, router, writerProcedure } from '../../trpc.js';
import { Success } from '../common.schema.js';
import {
  CreateProjectInput,
  ListProjectsInput,
  Project,
  ProjectIdInput,
  ProjectPage,
  UpdateProjectInput,
} from './projects.schema.js';
import * as projects from './projects.service.js';

export const projectsRouter = router({
  create: writerProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/projects',
        tags: ['projects'],
        protect: true,
        summary: 'Create a project',
        errorResponses: [400, 401, 403, 409],
      },
    })
    .input(CreateProjectInput)
    .output(Project)
    .mutation(({ ctx, input }) => projects.createProject(ctx, input)),
  list: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/projects',
        tags: ['projects'],
        protect: true,
        summary: 'List projects, paginated',
        errorResponses: [400, 401, 403],
      },
    })
    .input(ListProjectsInput)
    .output(ProjectPage)
    .query(({ ctx, input }) => projects.listProjects(ctx, input)),
  get: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/projects/{id}',
        tags: ['projects'],
        protect: true,
        summary: 'Get one project',
        errorResponses: [400, 401, 403, 404],
      },
    })
    .input(ProjectIdInput)
    .output(Project)
    .query(({ ctx, input }) => projects.getProject(ctx, input)),
  update: writerProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/projects/{id}',
        tags: ['projects'],
        protect: true,
        summary: 'Rename or describe a project',
        errorResponses: [400, 401, 403, 404, 409],
      },
    })
    .input(UpdateProjectInput)
    .output(Project)
    .mutation(({ ctx, input }) => projects.updateProject(ctx, input)),
  delete: writerProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/projects/{id}',
        tags: ['projects'],
        protect: true,
        summary: 'Delete a project',
        errorResponses: [400, 401, 403, 404],
      },
    })
    .input(ProjectIdInput)
    .output(Success)
    .mutation(({ ctx, input }) => projects.deleteProject(ctx, input)),
});
