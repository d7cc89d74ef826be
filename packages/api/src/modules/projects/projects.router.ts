// projects.* procedures: wiring only; the rules live in projects.service.ts.
import { authedProcedure, router, writerProcedure } from '../../trpc.js';
import { Success } from '../auth/auth.schema.js';
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
    .input(CreateProjectInput)
    .output(Project)
    .mutation(({ ctx, input }) => projects.createProject(ctx, input)),
  list: authedProcedure
    .input(ListProjectsInput)
    .output(ProjectPage)
    .query(({ ctx, input }) => projects.listProjects(ctx, input)),
  get: authedProcedure
    .input(ProjectIdInput)
    .output(Project)
    .query(({ ctx, input }) => projects.getProject(ctx, input)),
  update: writerProcedure
    .input(UpdateProjectInput)
    .output(Project)
    .mutation(({ ctx, input }) => projects.updateProject(ctx, input)),
  delete: writerProcedure
    .input(ProjectIdInput)
    .output(Success)
    .mutation(({ ctx, input }) => projects.deleteProject(ctx, input)),
});
